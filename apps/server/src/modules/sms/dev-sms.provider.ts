import type { SmsProvider } from "./sms.provider";

/**
 * Development provider: the message already sits in the database outbox, where the dev outbox page
 * (/dev/sms) and `certhall sms outbox` show it; "sending" only marks it delivered.
 */
export function createDevSmsProvider(): SmsProvider {
  return {
    name: "dev",
    async send(msg) {
      return { providerMessageId: `dev-${msg.id ?? "unknown"}` };
    },
  };
}
