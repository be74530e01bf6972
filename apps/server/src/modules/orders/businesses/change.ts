import { NO_EFFECTS, type ServerBusiness, supersedeLineage } from "./define";

/** 变更: the new certificate (new subject) heads the lineage; every earlier valid one is superseded. */
export const change = {
  code: "change",
  lineage: "continues",
  ...NO_EFFECTS,
  afterIssue: supersedeLineage,
} satisfies ServerBusiness<"change">;
