import type { FastifyBaseLogger } from "fastify";
import type { CaService } from "./ca.service";

/**
 * Re-signs CRLs on a schedule (issue 4 item 4): every `intervalMs` each held CA's CRL is checked and
 * re-signed once half of its validity has passed, so relying parties never see an expired CRL.
 */
export function startCrlScheduler(ca: CaService, log: FastifyBaseLogger, intervalMs = 5 * 60 * 1000) {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = ca
      .refreshCrls()
      .then((crls) => {
        for (const c of crls)
          log.info({ ca: c.ca, crlNumber: c.number, entries: c.entries }, "CRL published");
      })
      .catch((err) => log.error({ err }, "CRL refresh failed"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
