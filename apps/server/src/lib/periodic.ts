/**
 * Runs `pass` at start and then every `intervalMs`; passes never overlap within one process (a tick
 * while one runs is skipped). The pass reports its own results; a failure goes to `onError`. The timer
 * does not keep the process alive; `stop()` waits for a running pass.
 */
export function startPeriodic(
  pass: () => Promise<void>,
  intervalMs: number,
  onError: (err: unknown) => void,
) {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = pass()
      .catch(onError)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
