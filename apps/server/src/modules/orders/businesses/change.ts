import type { ChangeDetails } from "@certhall/domain";
import { iso } from "../../../lib/clock";
import { addSubjectVersion } from "../../subjects/subject-versions";
import { NO_EFFECTS, type ServerBusiness, supersedeLineage } from "./define";

/**
 * 变更: the new certificate (new subject) heads the lineage; every earlier valid one is superseded.
 * The changed subject becomes a new version (DESIGN §8): earlier orders, receipts and certificates
 * keep the version of their day; the subjects row takes the new values; the new certificate points at
 * the new version.
 */
export const change = {
  code: "change",
  lineage: "continues",
  ...NO_EFFECTS,
  afterIssue: async (ctx) => {
    const changes = (ctx.item.details as Partial<ChangeDetails>).changes ?? {};
    if (Object.keys(changes).length > 0) {
      const { trx } = ctx;
      const now = ctx.at;
      const current = await trx
        .selectFrom("subjects")
        .selectAll()
        .where("id", "=", ctx.item.subject_id)
        .executeTakeFirstOrThrow();
      const next = {
        ...current,
        ...(changes.name ? { name: changes.name } : {}),
        ...(changes.legalRep ? { legal_rep: changes.legalRep } : {}),
        ...(changes.address ? { address: changes.address } : {}),
      };
      const versionId = await addSubjectVersion(trx, current.id, next, { orderId: ctx.order.id, at: now });
      await trx
        .updateTable("subjects")
        .set({ name: next.name, legal_rep: next.legal_rep, address: next.address, updated_at: iso(now) })
        .where("id", "=", current.id)
        .execute();
      await trx
        .updateTable("certificate_lineage")
        .set({ subject_version_id: versionId })
        .where("serial_hex", "=", ctx.serialHex)
        .execute();
    }
    return supersedeLineage(ctx);
  },
} satisfies ServerBusiness<"change">;
