import type { BusinessForm } from "./define";
import { ItemHint } from "./hint";

/** 解锁: nothing to choose; the rows show the medium the PIN is reset on. */
export const unlock: BusinessForm = {
  newRow: {},
  fromItem: () => ({}),
  toInput: () => ({}),
  fields: [],
  Fields: () => <ItemHint type="info" text="biz.unlockItemHint" />,
  addLabel: "biz.addCerts",
  showMedia: true,
};
