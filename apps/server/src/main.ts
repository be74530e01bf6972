import { buildApp } from "./app";
import { ConfigError, loadConfig } from "./config";
import { isClusterPrimary, printsBanner, runClusterPrimary } from "./lib/cluster";
import { startPeriodic } from "./lib/periodic";
import { openSharedState } from "./lib/shared-state";
import { startAuditAnchorScheduler } from "./modules/audit/audit.anchor";
import { createDevClock } from "./modules/dev/dev-clock";
import { createInvoiceProvider } from "./modules/invoices/invoice.factory";
import { runInvoicePass } from "./modules/invoices/invoice.worker";
import { deliverDueEmail } from "./modules/mail/mail.outbox";
import { createMailSender } from "./modules/mail/mail.provider";
import { startCrlScheduler } from "./modules/pki/ca.scheduler";
import { startReminderScheduler } from "./modules/reminders/reminder.job";
import { createSmsProvider } from "./modules/sms/sms.factory";
import { startSmsWorker } from "./modules/sms/sms.outbox";
import { bootstrapCa, openPreparedDatabase } from "./runtime";
import { DEMO_APPLICANT_PHONE, DEMO_PASSWORD, DEMO_STAFF } from "./seed";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  if (isClusterPrimary(config.scale.workers)) {
    // Migrations, seed and the CA hierarchy once, before the workers start.
    await runClusterPrimary(config.scale.workers, async () => {
      const database = await openPreparedDatabase(config);
      const ca = await bootstrapCa(config, database);
      ca.close();
      await database.close();
    });
    return;
  }
  const database = await openPreparedDatabase(config);
  const shared = await openSharedState(config, database, { error: (o, m) => console.error(m, o) });
  const ca = await bootstrapCa(config, database, undefined, shared);
  // The dev clock moves only the app's services (buildApp ignores it in production); the CA, the SMS
  // worker and the reminder job keep the system time.
  const app = await buildApp({ config, database, ca, devClock: createDevClock(), shared });
  // Scheduled work is done by one instance at a time (lib/exclusive.ts).
  const crlScheduler = startCrlScheduler(ca, app.log, undefined, shared.exclusive);
  const anchorScheduler = startAuditAnchorScheduler(
    { db: database.db, ca, clock: () => new Date(), dir: config.audit.anchorDir },
    app.log,
    config.audit.anchorIntervalMinutes * 60_000,
    shared.exclusive,
  );
  const smsWorker = startSmsWorker(
    { db: database.db, provider: createSmsProvider(config), clock: () => new Date(), log: app.log },
    config.sms.workerIntervalMs,
    shared.exclusive,
  );
  const reminderScheduler = startReminderScheduler(
    { db: database.db, clock: () => new Date(), signName: config.sms.signName, publicUrl: config.publicUrl },
    app.log,
    config.reminders.intervalMinutes * 60_000,
    shared.exclusive,
  );
  // E-invoices (pending, Nuonuo results, automatic issuing, 红冲) and the email outbox that sends them.
  const invoiceDeps = { db: database.db, clock: () => new Date(), log: app.log };
  const invoiceProvider = createInvoiceProvider(config);
  const mailSender = createMailSender(config);
  const invoiceWorker = startPeriodic(
    async () => {
      await runInvoicePass({ ...invoiceDeps, provider: invoiceProvider });
      await deliverDueEmail({ ...invoiceDeps, sender: mailSender });
    },
    config.invoice.workerIntervalMs,
    (err) => app.log.error({ err }, "invoice worker pass failed"),
    { name: "invoice-worker", run: shared.exclusive },
  );

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await app.close(); // stops accepting, lets in-flight requests finish
      await reminderScheduler.stop();
      await smsWorker.stop();
      await invoiceWorker.stop();
      await crlScheduler.stop();
      await ca.flushCrls(); // revocations of the last second get their CRL before the exit
      await anchorScheduler.stop();
      ca.close();
      await shared.close();
      await database.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  await app.listen({ port: config.port, host: config.host });
  if (!printsBanner()) return;
  const lines = [
    "",
    `  certhall is running: ${config.publicUrl}`,
    `  Back office:         ${config.publicUrl}/admin`,
    `  API docs:            ${config.publicUrl}/api/docs`,
    `  Database:            ${database.kind === "sqlite" ? config.database.kind === "sqlite" && config.database.file : "PostgreSQL"}`,
    `  Processes:           ${config.scale.workers}${config.scale.redis ? " (sharing Redis)" : ""}`,
  ];
  const issuing = ca.issuing();
  lines.push(
    `${`  CA (${issuing.algorithm}):`.padEnd(23)}${issuing.subject}`,
    `  CA certificates:     ${ca
      .chainOf(issuing)
      .map((c) => `${config.publicUrl}/pki/ca/${c.slug}.crt`)
      .join("  ")}`,
    `  CRL / OCSP:          ${config.publicUrl}/pki/crl/${issuing.slug}.crl  ${config.publicUrl}/pki/ocsp`,
  );
  if (config.sms.provider === "dev") lines.push(`  SMS (dev outbox):    ${config.publicUrl}/dev/sms`);
  if (config.seedDemo) {
    lines.push(
      "",
      `  Demo logins (password for all: ${DEMO_PASSWORD})`,
      `    applicant  phone ${DEMO_APPLICANT_PHONE}  at ${config.publicUrl}/login`,
      ...DEMO_STAFF.map(
        (s) => `    ${s.role.padEnd(9)}  user  ${s.username.padEnd(11)} at ${config.publicUrl}/admin/login`,
      ),
    );
  }
  console.log(`${lines.join("\n")}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
