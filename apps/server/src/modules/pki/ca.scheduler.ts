import type { FastifyBaseLogger } from "fastify";
import type { RunExclusive } from "../../lib/exclusive";
import type { CaService } from "./ca.service";

/** The ceremony re-signs the root's ARL (CA_ARL_DAYS); the log says so this long before it ends. */
const ARL_WARNING_MS = 30 * 86_400_000;

/**
 * Re-signs CRLs on a schedule (issue 4 item 4): every `intervalMs` each held CA's CRL is checked and
 * re-signed once half of its validity has passed, so relying parties never see an expired CRL. The
 * same pass picks up what the root key ceremony changed (a new or revoked issuing CA) and warns when
 * a root's ARL, which only the ceremony can re-sign, ends within 30 days.
 */
export function startCrlScheduler(
  ca: CaService,
  log: FastifyBaseLogger,
  intervalMs = 5 * 60 * 1000,
  exclusive: RunExclusive = (_name, job) => job().then(() => true),
) {
  let running: Promise<void> | null = null;
  const pass = async () => {
    const crls = await ca.refreshCrls();
    for (const c of crls) log.info({ ca: c.ca, crlNumber: c.number, entries: c.entries }, "CRL published");
    await warnArl(ca, log);
  };
  const tick = () => {
    if (running) return;
    running = exclusive("crl-refresh", pass)
      .then(() => {})
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

async function warnArl(ca: CaService, log: FastifyBaseLogger): Promise<void> {
  for (const root of ca.list().filter((c) => c.role === "root" && !c.signer)) {
    const arl = await ca.currentCrl(root.slug).catch(() => null);
    if (arl && arl.nextUpdate.getTime() - Date.now() < ARL_WARNING_MS) {
      log.warn(
        { ca: root.slug, nextUpdate: arl.nextUpdate.toISOString() },
        "ARL ends soon: run certhall ca ceremony sign-arl with the root key",
      );
    }
  }
}
