import { useCallback, useEffect, useState } from "react";
import { secondsLeft } from "../lib/countdown";

/**
 * A countdown that survives re-renders and a sleeping tab: it stores the end time, not a counter, so
 * the seconds stay right even when timers are throttled in the background.
 */
export function useCountdown() {
  const [endAt, setEndAt] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const remaining = secondsLeft(endAt, now);

  useEffect(() => {
    if (remaining <= 0) return;
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, [remaining]);

  const start = useCallback((seconds: number) => {
    const t = Date.now();
    setNow(t);
    setEndAt(t + seconds * 1000);
  }, []);

  return { remaining, start };
}
