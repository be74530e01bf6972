import { createHash } from "node:crypto";
import { formatFen } from "@certhall/domain";
import type { Config } from "../../config";
import { cjkDocument, shanghaiDateTime } from "../receipts/receipt.pdf";
import { INVOICE_KIND_LABELS, type InvoiceProvider, type InvoiceToIssue } from "./invoice.provider";

/** A demo invoice number: 20 digits from the invoice id, stable, so a retry makes the same one. */
const demoNumber = (id: string) =>
  BigInt(`0x${createHash("sha256").update(id).digest("hex").slice(0, 16)}`)
    .toString()
    .padStart(20, "0")
    .slice(0, 20);

/** The dev provider's PDF: the invoice's fields, and 演示 written across it, so no one mistakes it. */
export async function renderDemoInvoicePdf(
  inv: InvoiceToIssue,
  invoiceNo: string,
  cfg: Pick<Config["invoice"], "seller" | "goods" | "clerk">,
): Promise<Buffer> {
  const { doc, done } = cjkDocument(
    { Title: `电子发票（演示） ${invoiceNo}`, Author: cfg.seller.name },
    { size: "A5", layout: "landscape", margins: { top: 36, bottom: 36, left: 40, right: 40 } },
  );
  const red = inv.color === "red";
  // The watermark first, so the text stays readable over it.
  doc
    .save()
    .rotate(-20, { origin: [300, 210] })
    .fontSize(110)
    .fillColor("#f5c2c2")
    .text("演示", 170, 140)
    .restore();
  doc.fillColor(red ? "#cf1322" : "#000").fontSize(18);
  doc.text(`${INVOICE_KIND_LABELS[inv.kind]}${red ? "（红字）" : ""}（演示）`, { align: "center" });
  doc.moveDown(0.3).fontSize(9).fillColor("#a15c00");
  doc.text("演示发票：由开发环境生成，不是税务机关监制的发票，不能报销或抵扣。", { align: "center" });
  doc.moveDown(0.8).fillColor("#000").fontSize(10);
  const amount = red ? `-${formatFen(inv.amountFen)}` : formatFen(inv.amountFen);
  const lines: [string, string][] = [
    ["发票号码", invoiceNo],
    ["开票日期", shanghaiDateTime(inv.issuedAt.toISOString())],
    ["购买方名称", inv.buyer.title],
    ["购买方税号", inv.buyer.taxNo ?? "—"],
    ["销售方名称", cfg.seller.name],
    ["销售方税号", cfg.seller.taxNo || "—"],
    ["项目", `${cfg.goods.name}（订单 ${inv.orderNo}）`],
    ["税率", `${Math.round(Number(cfg.goods.taxRate) * 100)}%`],
    ["价税合计", amount],
    ["开票人", cfg.clerk],
  ];
  if (inv.original) lines.push(["对应蓝字发票", inv.original.invoiceNo]);
  for (const [k, v] of lines) {
    doc.text(`${k}：${v}`);
    doc.moveDown(0.2);
  }
  doc.end();
  return done;
}

/** Development and tests: issues at once, locally, a PDF marked 演示. */
export function createDevInvoiceProvider(
  cfg: Pick<Config["invoice"], "seller" | "goods" | "clerk">,
): InvoiceProvider {
  return {
    name: "dev",
    async issue(inv) {
      const invoiceNo = demoNumber(inv.id);
      return {
        state: "issued",
        invoiceCode: null,
        invoiceNo,
        pdf: await renderDemoInvoicePdf(inv, invoiceNo, cfg),
      };
    },
    async query() {
      return { state: "failed", reason: "the dev provider issues at once; there is nothing to query" };
    },
  };
}
