import { validateUscc } from "@certhall/domain";
import type { InvoiceBuyerType, InvoiceKind } from "../../db/tables.invoices";
import { invalidField } from "../../errors";

export interface InvoiceRequestInput {
  buyerType: InvoiceBuyerType;
  title: string;
  taxNo?: string | null;
  email: string;
  kind: InvoiceKind;
}

export interface CheckedInvoiceRequest {
  buyerType: InvoiceBuyerType;
  title: string;
  taxNo: string | null;
  email: string;
  kind: InvoiceKind;
}

// One address, no spaces, a dot in the domain: what a mail server will take (not RFC 5322's full grammar).
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

/**
 * 抬头, 税号, email and type as the applicant typed them. A company's 税号 is its 统一社会信用代码
 * (GB 32100-2015, check digit included); a person gets a 普票 without one; a 专票 is for companies only.
 */
export function checkInvoiceRequest(input: InvoiceRequestInput): CheckedInvoiceRequest {
  const title = input.title.trim();
  if (title.length < 2 || title.length > 100)
    throw invalidField("title", "发票抬头（title）应为 2 到 100 个字符");
  const email = input.email.trim();
  if (email.length > 254 || !EMAIL.test(email)) {
    throw invalidField("email", "接收邮箱（email）格式不正确，例如 name@example.com");
  }
  if (input.buyerType === "person") {
    if (input.kind === "special")
      throw invalidField("kind", "个人不能开具增值税专用发票（kind），请选择普通发票");
    return { buyerType: "person", title, taxNo: null, email, kind: "normal" };
  }
  const raw = (input.taxNo ?? "").trim();
  if (!raw) throw invalidField("taxNo", "税号（taxNo）必填：企业抬头请填写统一社会信用代码");
  const r = validateUscc(raw);
  if (!r.ok) throw invalidField("taxNo", `税号（taxNo）：${r.reason}`);
  return { buyerType: "company", title, taxNo: r.value, email, kind: input.kind };
}
