import { renewalKeepsPredecessor } from "../../settings/settings.service";
import { NO_EFFECTS, type ServerBusiness } from "./define";

/**
 * 延期: the renewed certificate heads the lineage; its predecessor is revoked superseded once it is
 * issued, unless the admin keeps predecessors valid until they expire (platform setting). A kept
 * predecessor is no longer the head: never offered again, not reminded.
 */
export const renew = {
  code: "renew",
  lineage: "continues",
  ...NO_EFFECTS,
  afterIssue: async (ctx) => {
    const target = ctx.item.target_serial;
    if (!target || (await renewalKeepsPredecessor(ctx.trx))) return [];
    const member = ctx.lineage?.members.find((m) => m.serial_hex === target);
    if (member && member.state?.status !== "good") return [];
    return [{ serialHex: target, reason: "superseded" }];
  },
} satisfies ServerBusiness<"renew">;
