import type { BusinessForm } from "./define";
import { ItemHint } from "./hint";

/** 注销: nothing to choose; the box 【是否注销】 confirms. */
export const revoke: BusinessForm = {
  newRow: {},
  fromItem: () => ({}),
  toInput: () => ({}),
  fields: [],
  Fields: () => <ItemHint type="warning" text="biz.revokeItemHint" />,
  addLabel: "biz.addCerts",
  confirmText: "biz.confirmRevoke",
};
