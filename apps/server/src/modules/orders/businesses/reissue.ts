import type { ReissueDetails } from "@certhall/domain";
import { AppError } from "../../../errors";
import { certificateStates, certificatesToCompromise } from "../../pki/lineage-revocation";
import { NO_EFFECTS, type ServerBusiness, supersedeLineage } from "./define";

/**
 * 补证: the new certificate (new key, new media) heads the lineage. Broken media: the lineage is
 * superseded. Lost media: every certificate that holds the lost key, in any lineage, is revoked
 * keyCompromise (a superseded one has its reason raised), which blocks the key for ever; the rest of
 * the lineage is superseded.
 */
export const reissue = {
  code: "reissue",
  lineage: "continues",
  ...NO_EFFECTS,
  afterIssue: async (ctx) => {
    const rest = await supersedeLineage(ctx);
    if ((ctx.item.details as Partial<ReissueDetails>).cause !== "lost" || !ctx.item.target_serial)
      return rest;
    const lost = (await certificateStates(ctx.trx, [ctx.item.target_serial])).get(ctx.item.target_serial);
    if (!lost?.spkiSha256) return rest;
    const compromised = await certificatesToCompromise(ctx.trx, lost.spkiSha256);
    if (compromised.includes(ctx.serialHex)) {
      throw new AppError(
        "VALIDATION_FAILED",
        "补证（介质遗失）须使用新的密钥：证书请求（csrPem）的公钥是遗失介质上的密钥",
        {
          field: "csrPem",
        },
      );
    }
    const set = new Set(compromised);
    return [
      ...compromised.map((serialHex) => ({ serialHex, reason: "keyCompromise" })),
      ...rest.filter((r) => !set.has(r.serialHex)),
    ];
  },
} satisfies ServerBusiness<"reissue">;
