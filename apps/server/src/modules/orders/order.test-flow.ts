// Test set-up for the businesses that act on a certificate already issued: an applicant holding real
// certificates, issued by the window from openssl CSRs through the HTTP API. Not imported by production code.
import path from "node:path";
import { materialsFor } from "@certhall/domain";
import type { Client } from "../../test/harness";
import { type FlowApp, opensslCsr, orderAwaitingMaterials } from "../workbench/test-flow";

/**
 * A 新证 order for the applicant driven to completion: materials received, every item issued on a USB
 * key serial from a CSR (by default a fresh openssl key kept in `dir` as <name>-<n>.key; `opts.csr`
 * supplies another, e.g. a token's), handed over. Returns the serials, media and key files in item order.
 */
export async function issuedCertificates(
  t: FlowApp,
  clients: { applicant: Client; reviewer: Client; operator: Client },
  dir: string,
  opts: Parameters<typeof orderAwaitingMaterials>[3] & { name?: string; csr?: () => Promise<string> } = {},
): Promise<{
  orderId: string;
  serials: string[];
  notAfters: Date[];
  mediaSerials: string[];
  keyFiles: (string | null)[];
}> {
  const { applicant, reviewer, operator } = clients;
  const order = await orderAwaitingMaterials(t, applicant, reviewer, opts);
  const url = (rest: string) => `/api/v1/admin/orders/${order.id}${rest}`;
  const ticked = await operator.post(url("/materials"), {
    version: order.version,
    received: materialsFor("new", order.subject_kind).map((m) => m.code),
  });
  const received = await operator.post(url("/receive"), { version: ticked.body.version });
  if (received.status !== 200) throw new Error(`receive ${received.status} ${JSON.stringify(received.body)}`);
  const serials: string[] = [];
  const notAfters: Date[] = [];
  const mediaSerials: string[] = [];
  const keyFiles: (string | null)[] = [];
  const name = opts.name ?? `k${order.order_no}`;
  for (const [n, item] of (received.body.items as { id: string }[]).entries()) {
    const media = `UKEY-${order.order_no.slice(-6)}-${n}`;
    const m = await operator.post(url(`/items/${item.id}/media`), { mediaSerial: media });
    if (m.status !== 200) throw new Error(`media ${m.status} ${JSON.stringify(m.body)}`);
    const csrPem = opts.csr ? await opts.csr() : await opensslCsr(dir, `${name}-${n}`);
    const issued = await operator.post(url(`/items/${item.id}/issue`), { csrPem });
    if (issued.status !== 201) throw new Error(`issue ${issued.status} ${JSON.stringify(issued.body)}`);
    serials.push(issued.body.certificate.serialHex);
    notAfters.push(new Date(issued.body.certificate.notAfter));
    mediaSerials.push(media);
    keyFiles.push(opts.csr ? null : path.join(dir, `${name}-${n}.key`));
  }
  const fresh = await operator.get(url(""));
  const done = await operator.post(url("/complete"), { version: fresh.body.version, how: "handover" });
  if (done.status !== 200) throw new Error(`complete ${done.status} ${JSON.stringify(done.body)}`);
  return { orderId: order.id, serials, notAfters, mediaSerials, keyFiles };
}
