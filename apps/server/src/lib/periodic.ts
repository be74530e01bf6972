import type { RunExclusive } from "./exclusive";

/** A scheduled job's name and the lock that keeps it to one instance at a time (lib/exclusive.ts). */
export interface JobLock {
  name: string;
  run: RunExclusive;
}

/**
 * Runs `pass` at start and then every `intervalMs`; passes never overlap within one process (a tick
 * while one runs is skipped), nor across instances when `lock` is given (a tick that finds the job
 * running elsewhere is skipped too). The pass reports its own results; a failure goes to `onError`. The timer
 * does not keep the process alive; `stop()` waits for a running pass.
 */
export function startPeriodic(
  pass: () => Promise<void>,
  intervalMs: number,
  onError: (err: unknown) => void,
  lock?: JobLock,
) {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = (lock ? lock.run(lock.name, pass).then(() => {}) : pass()).catch(onError).finally(() => {
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
