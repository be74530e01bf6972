// What a business does on the server besides moving its order through the machine (issue 11 item 1,
// DESIGN §8): one file per business beside this one, collected in index.ts in a Record over the
// business codes, so the compiler refuses a missing or an extra one. The domain definition
// (packages/domain/src/businesses) holds the flags, fees, materials and item schema; this one holds the
// effects that need the database and the CA.
import type { BusinessCode } from "@certhall/domain";
import type { Trx } from "../../../db/database";
import type { Order } from "../../../db/tables.orders";
import type { LineageOf } from "../../certificates/lineage";
import type { Revocation } from "../../pki/lineage-revocation";
import type { TransitionDeps } from "../order.transition";

/** A certificate just issued for an order item, with the lineage of the item's target. */
export interface IssuedContext {
  trx: Trx;
  order: Order;
  item: {
    id: string;
    position: number;
    target_serial: string | null;
    subject_id: string;
    /** The subject version the item was filed with (the new certificate's, unless the business makes one). */
    subject_version_id: string | null;
    details: Record<string, unknown>;
  };
  /** The new certificate. */
  serialHex: string;
  /** The step's time (the app's clock). */
  at: Date;
  /** The target's lineage (its members before the new certificate); null when the item has none. */
  lineage: LineageOf | null;
}

/** The 注销 step at the window: the item's certificate and its lineage. */
export interface RevokeContext {
  trx: Trx;
  item: { target_serial: string; details: Record<string, unknown> };
  lineage: LineageOf;
}

export interface ServerBusiness<C extends BusinessCode = BusinessCode> {
  code: C;
  /**
   * What a certificate this business issues does to lineages: starts a new one (新证, 其他厂商介质证书更换),
   * continues the target's (延期, 变更, 补证, 换证), or the business issues none.
   */
  lineage: "starts" | "continues" | null;
  /** DESIGN §8: what the new certificate does to the certificates before it (revocations with reasons). */
  afterIssue: ((ctx: IssuedContext) => Promise<Revocation[]>) | null;
  /** DESIGN §8 注销: what the window's revoke step revokes. */
  revokes: ((ctx: RevokeContext) => Promise<Revocation[]>) | null;
  /** Reaching "ready": the business's own effect; `notified` when it sent the step's SMS itself. */
  onReady: ((trx: Trx, order: Order, deps: TransitionDeps) => Promise<{ notified: boolean }>) | null;
}

/** Still-valid members of the lineage other than `except` (the new head). */
export function validMembers(lineage: LineageOf | null, except?: string): string[] {
  if (!lineage) return [];
  return lineage.members
    .filter((m) => m.state?.status === "good" && m.serial_hex !== except)
    .map((m) => m.serial_hex);
}

/** 变更, 换证, 补证 (broken): every still-valid certificate of the lineage, superseded. */
export async function supersedeLineage(ctx: IssuedContext): Promise<Revocation[]> {
  const serials = validMembers(ctx.lineage, ctx.serialHex);
  // A target issued outside any lineage row still goes.
  if (ctx.item.target_serial && !ctx.lineage?.members.length) serials.push(ctx.item.target_serial);
  return serials.map((serialHex) => ({ serialHex, reason: "superseded" }));
}

export const NO_EFFECTS = { afterIssue: null, revokes: null, onReady: null } as const;
