import { useState } from "react";
import type { AssistantClient, CsrRequest } from "../../lib/assistant";
import { assistantMessage } from "./AssistantGate";

/**
 * What the online update and the window's issue step share: the key signs a request, the portal
 * issues, the certificate is written beside the key. Once issued, a failed write is retried alone
 * (the portal would not issue twice for one item). The PIN lives in this state for one action only.
 */
export function useIssueOnToken<T>(
  client: AssistantClient,
  steps: {
    /** What the key signs (a new key's subject, or the key of the certificate being renewed). */
    request: Omit<CsrRequest, "tokenSerial" | "pin">;
    /** Runs before the request, e.g. recording the key's serial on the item. */
    before?: (tokenSerial: string) => Promise<void>;
    issue: (csrPem: string) => Promise<T>;
    pemOf: (issued: T) => string;
    /** Replace the key's older certificate (a renewal that kept the key). */
    replace?: boolean;
    onDone: (issued: T) => void | Promise<void>;
  },
) {
  const [serial, setSerial] = useState<string>();
  const [pin, setPin] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<T | null>(null);

  async function run() {
    if (!serial) return;
    setBusy(true);
    setError(null);
    try {
      let result = issued;
      if (result === null) {
        await steps.before?.(serial);
        const csr = await client.csr({ ...steps.request, tokenSerial: serial, pin });
        result = await steps.issue(csr.csrPem);
        setIssued(result);
      }
      await client.writeCertificate({
        tokenSerial: serial,
        pin,
        certificatePem: steps.pemOf(result),
        replace: steps.replace,
      });
      setPin("");
      await steps.onDone(result);
    } catch (err) {
      setError(assistantMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return { serial, setSerial, pin, setPin, busy, error, issued: issued !== null, run };
}
