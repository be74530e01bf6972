import { NO_EFFECTS, type ServerBusiness, supersedeLineage } from "./define";

/** 换证: the new certificate (new media) heads the lineage; every earlier valid one is superseded. */
export const replace = {
  code: "replace",
  lineage: "continues",
  ...NO_EFFECTS,
  afterIssue: supersedeLineage,
} satisfies ServerBusiness<"replace">;
