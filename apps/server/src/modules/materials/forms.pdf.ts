// The forms the receipt asks for (issue 16 item 2): the business's 申请表, the 法定代表人授权委托书 and
// the 电子印章信息填报表, as A4 PDFs in the receipt's engine (pdfkit with the embedded CJK font). Pre-filled
// from an order for its owner, or blank (every field a line to write on) for the home page. Filled
// forms print the handler's full ID number and phone: only the owner downloads them, and the paper is
// what the window checks against the ID card.
import { type BusinessCode, materialsFor } from "@certhall/domain";
import { cjkDocument, sectionRule } from "../receipts/receipt.pdf";

export const FORM_KINDS = ["application", "authorization", "eseal"] as const;
export type FormKind = (typeof FORM_KINDS)[number];

/** Businesses whose receipt lists an application form (the blank forms offered on the home page). */
export const FORM_BUSINESSES = [
  "new",
  "change",
  "reissue",
  "unlock",
  "replace",
  "vendor_swap",
  "revoke",
] as const;

export interface FormSubject {
  kind: "company" | "person";
  name: string;
  identity: string;
  legalRep: string | null;
  address: string | null;
}

export interface FormData {
  kind: FormKind;
  business: BusinessCode;
  businessName: string;
  issuer: string;
  orderNo: string | null;
  subjectKind: "company" | "person";
  subjects: FormSubject[];
  handler: { name: string; idNumber: string; phone: string } | null;
  items: { subjectName: string; caTypeName: string; years: number; eseal: boolean; what: string }[];
  /** Asia/Shanghai date the form was made, for the date line of a filled form. */
  date: string | null;
}

/** The title of the business's application form, as the receipt's materials list names it. */
export function applicationTitle(business: BusinessCode, kind: "company" | "person"): string {
  const form = materialsFor(business, kind).find((m) => m.code.endsWith("_form"));
  return (form?.zh ?? "数字证书申请表").replace(/（.*）$/, "");
}

const TITLES: Record<Exclude<FormKind, "application">, string> = {
  authorization: "法定代表人授权委托书",
  eseal: "电子印章信息填报表",
};

export function formTitle(d: Pick<FormData, "kind" | "business" | "subjectKind">): string {
  return d.kind === "application" ? applicationTitle(d.business, d.subjectKind) : TITLES[d.kind];
}

const BLANK = "＿＿＿＿＿＿＿＿＿＿＿＿＿＿";

export async function renderFormPdf(d: FormData): Promise<Buffer> {
  const title = formTitle(d);
  const { doc, done } = cjkDocument({ Title: d.orderNo ? `${title} ${d.orderNo}` : title, Author: d.issuer });
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const v = (s: string | null | undefined) => (s?.trim() ? s : BLANK);
  const row = (label: string, value: string | null | undefined) =>
    doc.fontSize(11).text(`${label}：${v(value)}`, left, doc.y, { width, lineGap: 6 });
  const section = (t: string) => {
    doc.moveDown(0.6);
    doc.fontSize(12.5).text(t, left, doc.y, { width });
    sectionRule(doc, left, width);
    doc.moveDown(0.4);
  };
  const subjects: (FormSubject | null)[] = d.subjects.length ? d.subjects : [null];
  const company = d.subjectKind === "company";

  subjects.forEach((s, i) => {
    if (i > 0) doc.addPage();
    doc.fontSize(10).fillColor("#555").text(d.issuer, left, doc.page.margins.top, { width });
    doc
      .fontSize(20)
      .fillColor("#000")
      .text(title, left, doc.y + 4, { width, align: "center" });
    doc
      .fontSize(10)
      .fillColor("#555")
      .text(
        d.orderNo
          ? `订单号：${d.orderNo}    业务：${d.businessName}`
          : `业务：${d.businessName}（空白表，请用黑色签字笔填写）`,
        {
          width,
          align: "center",
        },
      );
    doc.fillColor("#000");

    if (d.kind === "authorization") {
      section("委托人（法定代表人）");
      row("单位名称", s?.name);
      row("统一社会信用代码", s?.identity);
      row("法定代表人", s?.legalRep);
      section("受托人（经办人）");
      row("姓名", d.handler?.name);
      row("身份证号", d.handler?.idNumber);
      row("手机号", d.handler?.phone);
      section("委托事项");
      doc
        .fontSize(11)
        .text(
          `兹委托上述受托人代表本单位办理数字证书「${d.businessName}」业务，包括填写及提交申请材料、缴纳费用、领取证书及介质。受托人在办理过程中所签署的文件，本单位均予以承认，并承担相应的法律责任。委托期限自签署之日起至该业务办结之日止。`,
          left,
          doc.y,
          { width, lineGap: 6 },
        );
    } else if (d.kind === "eseal") {
      section("单位信息");
      row("单位名称", s?.name);
      row("统一社会信用代码", s?.identity);
      row("法定代表人", s?.legalRep);
      row("单位地址", s?.address);
      section("电子印章");
      row("印章名称（与实物印章一致）", s?.name);
      row("印章类型（公章 / 合同章 / 财务章 / 法人章）", null);
      row("绑定证书", d.items.find((it) => it.subjectName === s?.name && it.eseal)?.caTypeName);
      section("经办人");
      row("姓名", d.handler?.name);
      row("手机号", d.handler?.phone);
    } else {
      section(company ? "申请单位" : "申请人");
      row(company ? "单位名称" : "姓名", s?.name);
      row(company ? "统一社会信用代码" : "身份证号", s?.identity);
      if (company) {
        row("法定代表人", s?.legalRep);
        row("单位地址", s?.address);
      }
      section("经办人");
      row("姓名", d.handler?.name);
      row("身份证号", d.handler?.idNumber);
      row("手机号", d.handler?.phone);
      section("申请事项");
      const mine = d.items.filter((it) => !s || it.subjectName === s.name);
      if (mine.length) {
        mine.forEach((it, n) => {
          const what = it.what ? `；${it.what}` : "";
          row(`${n + 1}`, `${it.caTypeName}，${it.years} 年${it.eseal ? "，含电子签章" : ""}${what}`);
        });
      } else {
        row("证书类型", null);
        row("证书序列号（已有证书的业务填写）", null);
        row("年限", null);
      }
      doc.moveDown(0.4);
      doc
        .fontSize(10)
        .text(
          "申请人承诺：以上所填信息及所附材料真实、有效，并已阅读、同意遵守本 CA 的电子认证业务规则。",
          left,
          doc.y,
          {
            width,
            lineGap: 4,
          },
        );
    }

    doc.moveDown(1.5);
    const sign = company ? "单位盖章（公章）：" : "申请人签字：";
    doc
      .fontSize(11)
      .text(
        `${sign}${" ".repeat(24)}${d.kind === "authorization" ? "法定代表人签字：" : "经办人签字："}`,
        left,
        doc.y,
        { width },
      );
    doc.moveDown(1.2);
    doc.text(`日期：${d.date ?? "      年    月    日"}`, left, doc.y, { width, align: "right" });
  });

  doc.end();
  return done;
}
