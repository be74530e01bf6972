/** Whole seconds left until `endAt` (ms epoch), never negative; rounds up so "1 s" shows until the end. */
export function secondsLeft(endAt: number, now: number): number {
  return Math.max(0, Math.ceil((endAt - now) / 1000));
}
