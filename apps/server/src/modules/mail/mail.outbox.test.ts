import { createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testClock } from "../../test/harness";
import { deliverDueEmail, maskEmail, queueEmail } from "./mail.outbox";
import { createSmtpSender, type MailSender } from "./mail.provider";

/** A minimal SMTP server (RFC 5321 commands nodemailer uses without TLS): keeps each message's DATA. */
async function startSmtp() {
  const messages: { from: string; to: string[]; data: string }[] = [];
  const server = createServer((sock: Socket) => {
    let buf = "";
    let inData = false;
    let cur = { from: "", to: [] as string[], data: "" };
    sock.write("220 test ESMTP\r\n");
    sock.on("data", (chunk) => {
      buf += chunk.toString("utf8");
      for (;;) {
        if (inData) {
          const end = buf.indexOf("\r\n.\r\n");
          if (end < 0) return;
          cur.data = buf.slice(0, end);
          buf = buf.slice(end + 5);
          inData = false;
          messages.push(cur);
          cur = { from: "", to: [], data: "" };
          sock.write("250 OK queued\r\n");
          continue;
        }
        const nl = buf.indexOf("\r\n");
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === "EHLO" || cmd === "HELO") sock.write("250-test\r\n250 8BITMIME\r\n");
        else if (cmd === "MAIL") cur.from = line;
        else if (cmd === "RCPT") cur.to.push(line);
        else if (cmd === "DATA") inData = true;
        if (cmd === "DATA") sock.write("354 go ahead\r\n");
        else if (cmd === "QUIT") sock.end("221 bye\r\n");
        else if (cmd !== "EHLO" && cmd !== "HELO") sock.write("250 OK\r\n");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as { port: number }).port,
    messages,
    close: () => new Promise((r) => server.close(r)),
  };
}

let env: Awaited<ReturnType<typeof createTestDatabase>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
beforeAll(async () => {
  env = await createTestDatabase();
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
  await env.cleanup();
});

describe("the email outbox", () => {
  it("sends a queued email with its PDF over SMTP, once", async () => {
    const time = testClock();
    const db = env.database.db;
    await db.transaction().execute((trx) =>
      queueEmail(trx, time.clock, {
        to: "buyer@example.com",
        subject: "电子发票：订单 CH1",
        text: "见附件",
        attachment: { filename: "电子发票-CH1.pdf", content: Buffer.from("%PDF-1.7 x") },
      }),
    );
    const sender = createSmtpSender(
      `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`,
      "certhall <noreply@example.com>",
    );
    expect(await deliverDueEmail({ db, sender, clock: time.clock, log: console })).toBe(1);
    expect(await deliverDueEmail({ db, sender, clock: time.clock, log: console })).toBe(0);
    expect(smtp.messages).toHaveLength(1);
    const m = smtp.messages[0]!;
    expect(m.to.join()).toContain("buyer@example.com");
    expect(m.data).toContain("application/pdf");
    expect(m.data).toContain(Buffer.from("%PDF-1.7 x").toString("base64"));
  });

  it("retries a failed send later with backoff, and masks addresses for lists", async () => {
    const time = testClock();
    const db = env.database.db;
    const id = await db
      .transaction()
      .execute((trx) => queueEmail(trx, time.clock, { to: "x@example.com", subject: "s", text: "t" }));
    let fail = true;
    const sender: MailSender = {
      name: "smtp",
      async send() {
        if (fail) throw new Error("421 try later");
        return { messageId: "m" };
      },
    };
    await deliverDueEmail({ db, sender, clock: time.clock, log: { warn() {} } });
    const after = await db
      .selectFrom("email_outbox")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({ status: "pending", attempts: 1, last_error: "421 try later" });
    fail = false;
    expect(await deliverDueEmail({ db, sender, clock: time.clock, log: console })).toBe(0); // not due yet
    time.advance(60);
    expect(await deliverDueEmail({ db, sender, clock: time.clock, log: console })).toBe(1);
    expect(maskEmail("finance@example.com")).toBe("fi***@example.com");
  });
});
