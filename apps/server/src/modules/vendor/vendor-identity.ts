// Whose other-vendor certificate may be swapped for whom (其他厂商介质证书更换, issue 13 defect 5): a
// company swaps a certificate carrying its 统一社会信用代码 (one without any goes to a reviewer); a
// person swaps only a certificate naming them: their ID number (accepted), or their name with no ID
// number (a reviewer checks); a company's certificate is never swapped into a person's account.
import type { VendorCertificate } from "./vendor-cert";

export type VendorIdentity = { ok: true; review: boolean } | { ok: false; message: string };

const ID_NUMBER = /(\d{17}[\dXx])/;

export function vendorIdentity(
  subject: { kind: "company" | "person"; name: string; identity_key: string },
  fields: VendorCertificate["subjectFields"],
): VendorIdentity {
  if (subject.kind === "company") {
    if (!fields.uscc) return { ok: true, review: true };
    if (fields.uscc !== subject.identity_key) {
      return {
        ok: false,
        message: `证书中的统一社会信用代码 ${fields.uscc} 与所选企业（${subject.identity_key}）不一致`,
      };
    }
    return { ok: true, review: false };
  }
  if (fields.uscc) {
    return {
      ok: false,
      message: `该证书属于企业（统一社会信用代码 ${fields.uscc}），个人不能更换企业的证书，请以企业办理`,
    };
  }
  const id = ID_NUMBER.exec(fields.serialNumber ?? "")?.[1]?.toUpperCase();
  if (id) {
    return id === subject.identity_key.toUpperCase()
      ? { ok: true, review: false }
      : { ok: false, message: "证书中的身份证号与所选个人的身份证号不一致，只能更换本人的证书" };
  }
  const holder = fields.cn ?? fields.o ?? "";
  if (holder.trim() !== subject.name.trim()) {
    return {
      ok: false,
      message: `证书持有人（${holder || "未注明"}）与所选个人（${subject.name}）不一致，只能更换本人的证书`,
    };
  }
  return { ok: true, review: true };
}
