// An applicant's 新证 order for a new company, and real files for the material tests: PNGs (the e-seal tests' encoder), JPEG headers with a SOF0
// segment, PDFs made by pdf-lib with N pages or with JavaScript, an SVG with a script. Not imported by
// production code.
import { PDFDocument, PDFName, PDFString } from "pdf-lib";
import type { Client, TestApp } from "../../test/harness";
import { encodeRgbaPng } from "../eseal/seal-image.test-support";
import { COMPANY, caTypeId, HANDLER } from "../workbench/test-flow";

/** A flat grey PNG of the given size; `shade` varies the content (and so the hash). */
export function pngFile(width: number, height: number, shade = 128): Buffer {
  return encodeRgbaPng(width, height, new Uint8Array(width * height * 4).fill(shade), 0);
}

/** A baseline JPEG's headers (SOI, APP0 JFIF, SOF0 with the size) and EOI. */
export function jpegFile(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

export async function pdfFile(pages: number, opts: { javascript?: boolean } = {}): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pages; i++) doc.addPage([595, 842]).drawText(`page ${i + 1}`, { x: 50, y: 780 });
  if (opts.javascript) {
    const action = doc.context.obj({ Type: "Action", S: "JavaScript", JS: PDFString.of("app.alert(1)") });
    doc.catalog.set(PDFName.of("OpenAction"), doc.context.register(action));
  }
  return Buffer.from(await doc.save({ useObjectStreams: true }));
}

export const SVG_WITH_SCRIPT = Buffer.from(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><script>alert(document.cookie)</script></svg>',
);

/** A 新证 order (one 企业数字证书) of `client` for a company it adds; submitted unless told. */
export async function newCompanyOrder(
  t: TestApp,
  client: Client,
  opts: { name?: string; submit?: boolean; years?: number; eseal?: boolean } = {},
) {
  const subject = await client.post("/api/v1/subjects", { ...COMPANY, name: opts.name ?? COMPANY.name });
  if (subject.status !== 201) throw new Error(`subject ${subject.status} ${JSON.stringify(subject.body)}`);
  const subjectId = subject.body.subject.id as string;
  const order = await client.post("/api/v1/orders", {
    business: "new",
    subjectKind: "company",
    handler: HANDLER,
    items: [
      {
        subjectId,
        caTypeId: await caTypeId(t, "enterprise-sign"),
        years: opts.years ?? 1,
        eseal: opts.eseal ?? false,
      },
    ],
    submit: opts.submit ?? true,
  });
  if (order.status !== 201) throw new Error(`order ${order.status} ${JSON.stringify(order.body)}`);
  return {
    orderId: order.body.id as string,
    orderNo: order.body.orderNo as string,
    version: order.body.version as number,
    subjectId,
  };
}
