// What the 业务办理 form needs of each business whose items act on one of the account's own
// certificates: one file per business beside this one, collected in ./index.ts. The rules that are not
// the form's (flags, fees, materials, item steps) are the business's definition in @certhall/domain.

import type { BusinessCode, ReissueCause } from "@certhall/domain";
import type { FormInstance } from "antd";
import type { ReactNode } from "react";
import type { BusinessItemInput, SubjectKind } from "../../../api/orders";
import type { MessageKey } from "../../../app/messages";
import type { NamePath } from "../../orders/form-errors";

/** The seven businesses of this form (新证 and 其他厂商介质证书更换 have pages of their own). */
export type OwnTargetCode = Exclude<BusinessCode, "new" | "vendor_swap">;

/** What a form row shows about the certificate it acts on (from a candidate, or from an order item). */
export interface CertPick {
  serialHex: string;
  subjectKind: SubjectKind;
  subjectName: string;
  subjectIdentity: string;
  legalRep: string | null;
  address: string | null;
  caTypeId: string;
  caTypeName: string;
  notBefore: string | null;
  notAfter: string | null;
  mediaSerial: string | null;
}

/** One item of the form, named like the server's fields so its errors land on the right input. */
export interface BusinessRow {
  certificateSerial: string;
  years?: number;
  keepKey?: boolean;
  seal?: { name?: string; kind?: string; uploadId?: string };
  changes?: { name?: string; legalRep?: string; address?: string };
  reason?: string;
  cause?: ReissueCause;
}

export type FieldErrors = { name: NamePath; errors: string[] }[];

export interface ItemFieldsProps {
  /** The row's name in the Form.List. */
  name: number;
  row: BusinessRow | undefined;
  cert: CertPick | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the business form's values
  form: FormInstance<any>;
}

export interface BusinessForm {
  /** The choices a new row starts with (only what the applicant has to choose is left empty). */
  newRow: Omit<BusinessRow, "certificateSerial">;
  /** A row of an order being edited, from its item's stored details. */
  fromItem: (item: {
    years: number;
    details: Record<string, unknown>;
  }) => Omit<BusinessRow, "certificateSerial">;
  /** The row's own fields as the server's item input. */
  toInput: (row: BusinessRow, kind: SubjectKind) => Omit<BusinessItemInput, "certificateSerial">;
  /** The row's inputs beyond the certificate (where server errors can be placed). */
  fields: readonly (readonly (string | number)[])[];
  /** What the browser can tell before sending (the server checks again). */
  check?: (row: BusinessRow, cert: CertPick | undefined, index: number) => FieldErrors;
  /** The inputs under the certificate's summary. */
  Fields: (props: ItemFieldsProps) => ReactNode;
  /** The 【添加…】 button's label. */
  addLabel: MessageKey;
  /** The words after the confirmation box (businesses with one). */
  confirmText?: MessageKey;
  /** The rows show the medium's serial (the key the business acts on). */
  showMedia?: boolean;
}

/** The first message of a server problem about one field, without the 「第 N 项：」 prefix. */
export function withoutItemPrefix(message: string): string {
  return message.replace(/^第\s*\d+\s*项[：:]\s*/, "");
}

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
