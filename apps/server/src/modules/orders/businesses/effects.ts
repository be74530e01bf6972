// The one runner of a business's certificate effects (DESIGN §8), called inside the transaction of the
// step that issues (the window's 签发, the applicant's 证书在线更新) or revokes (the window's 注销): it
// records the new certificate in its lineage, revokes what the business says with the RFC 5280 reasons
// (OCSP answers and the CRL re-signed by the CA service in the same transaction; keyCompromise blocks
// the key), and moves an e-seal to the lineage's new head. The caller runs `publish` after its commit.
import type { BusinessCode } from "@certhall/domain";
import type { Trx } from "../../../db/database";
import type { Order } from "../../../db/tables.orders";
import { lineagesOf, recordCertificate } from "../../certificates/lineage";
import type { CaService } from "../../pki/ca.service";
import type { CaActor } from "../../pki/ceremony";
import { type Revocation, revokeAll } from "../../pki/lineage-revocation";
import type { IssuedContext } from "./define";
import { serverBusiness } from "./index";

export interface EffectsResult {
  revoked: Revocation[];
  publish: () => void;
}

/** After an item's certificate was issued, in the issuing transaction. */
export async function afterIssue(
  trx: Trx,
  ca: Pick<CaService, "revokeInTransaction">,
  actor: CaActor,
  p: {
    order: Order;
    item: Omit<IssuedContext["item"], "details">;
    details: Record<string, unknown>;
    serialHex: string;
    at: Date;
  },
): Promise<EffectsResult> {
  const item: IssuedContext["item"] = {
    id: p.item.id,
    position: p.item.position,
    target_serial: p.item.target_serial,
    subject_id: p.item.subject_id,
    subject_version_id: p.item.subject_version_id,
    details: p.details,
  };
  const business = p.order.business as BusinessCode;
  const def = serverBusiness(business);
  const target =
    p.item.target_serial && !p.item.target_serial.startsWith("vendor:") ? p.item.target_serial : null;
  const lineage = target ? ((await lineagesOf(trx, [target])).get(target) ?? null) : null;
  const continues = def.lineage === "continues" && target !== null;
  await recordCertificate(trx, {
    serialHex: p.serialHex,
    business,
    predecessor: continues ? target : null,
    orderId: p.order.id,
    itemId: item.id,
    subjectVersionId: item.subject_version_id,
    at: p.at,
  });
  const revoked = def.afterIssue
    ? await def.afterIssue({ trx, order: p.order, item, serialHex: p.serialHex, at: p.at, lineage })
    : [];
  const publish = await revokeAll(trx, ca, actor, revoked);
  if (continues && lineage)
    await followHead(trx, lineage.members.map((m) => m.serial_hex).concat(target), p.serialHex);
  return { revoked, publish };
}

/** 注销 at the window: what the business revokes, in the step's transaction. */
export async function revokeStep(
  trx: Trx,
  ca: Pick<CaService, "revokeInTransaction">,
  actor: CaActor,
  p: { order: Order; item: { target_serial: string; details: Record<string, unknown> } },
): Promise<EffectsResult> {
  const def = serverBusiness(p.order.business as BusinessCode);
  const lineage = (await lineagesOf(trx, [p.item.target_serial])).get(p.item.target_serial)!;
  const revoked = def.revokes ? await def.revokes({ trx, item: p.item, lineage }) : [];
  return { revoked, publish: await revokeAll(trx, ca, actor, revoked) };
}

/** An e-seal follows its lineage to the new head (DESIGN §8, 解锁/电子签章开通 row). */
async function followHead(trx: Trx, earlier: string[], head: string): Promise<void> {
  await trx
    .updateTable("eseals")
    .set({ certificate_serial: head })
    .where("certificate_serial", "in", [...new Set(earlier)])
    .execute();
}
