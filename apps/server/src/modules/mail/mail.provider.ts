import nodemailer from "nodemailer";
import type { Config } from "../../config";

export interface OutgoingEmail {
  id: string;
  to: string;
  subject: string;
  text: string;
  attachment?: { filename: string; content: Buffer; contentType: string };
}

export interface MailSender {
  readonly name: "dev" | "smtp";
  send(mail: OutgoingEmail): Promise<{ messageId: string | null }>;
}

/** Development: nothing leaves the machine; the outbox row (GET /api/v1/dev/mail) is the message. */
export const devMailSender: MailSender = {
  name: "dev",
  async send() {
    return { messageId: null };
  },
};

/** SMTP through nodemailer (EMAIL_SMTP_URL, e.g. smtps://user:pass@smtp.example.com:465). */
export function createSmtpSender(smtpUrl: string, from: string): MailSender {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    name: "smtp",
    async send(mail) {
      const info = await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        // Our row id: a resend after a crash between "sent" and "recorded" is recognisable by the receiver.
        messageId: `<${mail.id}@certhall>`,
        attachments: mail.attachment ? [mail.attachment] : [],
      });
      return { messageId: info.messageId ?? null };
    },
  };
}

export function createMailSender(config: Pick<Config, "email">): MailSender {
  return config.email.provider === "smtp" && config.email.smtpUrl
    ? createSmtpSender(config.email.smtpUrl, config.email.from)
    : devMailSender;
}
