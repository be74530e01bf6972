import { NO_EFFECTS, type ServerBusiness } from "./define";

/** 新证: each certificate starts a lineage. */
export const newCertificate = {
  code: "new",
  lineage: "starts",
  ...NO_EFFECTS,
} satisfies ServerBusiness<"new">;
