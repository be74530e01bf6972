import type { BusinessForm } from "./define";
import { ItemHint } from "./hint";

/** 换证: nothing to choose; the box 【是否换证】 confirms. */
export const replace: BusinessForm = {
  newRow: {},
  fromItem: () => ({}),
  toInput: () => ({}),
  fields: [],
  Fields: () => <ItemHint type="info" text="biz.replaceItemHint" />,
  addLabel: "biz.addCerts",
  confirmText: "biz.confirmReplace",
};
