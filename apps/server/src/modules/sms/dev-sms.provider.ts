import type { SmsProvider } from "./sms.provider";

/**
 * Development provider: the message already sits in the database outbox, where the dev outbox page
 * (/dev/sms) and `certhall sms outbox` show it; "sending" only marks it delivered. Outside production
 * the outbox is where the developer reads codes, so they stay in it; in production (where that page
 * does not exist) they are redacted like after any other gateway.
 */
export function createDevSmsProvider(opts: { outboxVisible: boolean }): SmsProvider {
  return {
    name: "dev",
    deliversToOutbox: opts.outboxVisible,
    async send(msg) {
      return { providerMessageId: `dev-${msg.id ?? "unknown"}` };
    },
  };
}
