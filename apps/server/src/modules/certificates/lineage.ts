// Certificates as lineages (DESIGN §8): every certificate issued through an order item records its
// lineage (the serial of the lineage's first certificate), its predecessor and the business that made
// it (table certificate_lineage, migration 0015). The newest certificate of a lineage that is not
// revoked is its head: the only one a business may pick, remind of, or offer for renewal.
import type { BusinessCode } from "@certhall/domain";
import type { Db, Trx } from "../../db/database";
import type { CertificateLineageTable } from "../../db/tables.lineage";
import { iso } from "../../lib/clock";
import { type CertificateState, certificateStates } from "../pki/lineage-revocation";

export type LineageRow = CertificateLineageTable;

/** Records a certificate just issued: it starts a lineage, or continues its predecessor's. */
export async function recordCertificate(
  trx: Trx,
  p: {
    serialHex: string;
    business: BusinessCode;
    predecessor: string | null;
    orderId: string;
    itemId: string;
    subjectVersionId: string | null;
    at: Date;
  },
): Promise<LineageRow> {
  const lineageId = p.predecessor
    ? ((await lineageIdsOf(trx, [p.predecessor])).get(p.predecessor) ?? p.predecessor)
    : p.serialHex;
  const row: LineageRow = {
    serial_hex: p.serialHex,
    lineage_id: lineageId,
    predecessor_serial: p.predecessor,
    business: p.business,
    order_id: p.orderId,
    item_id: p.itemId,
    created_at: iso(p.at),
    subject_version_id: p.subjectVersionId,
  };
  await trx.insertInto("certificate_lineage").values(row).execute();
  return row;
}

/** The lineage of each serial; a certificate without a row (issued outside an order) is its own. */
export async function lineageIdsOf(q: Db | Trx, serials: string[]): Promise<Map<string, string>> {
  const out = new Map(serials.map((s) => [s, s]));
  if (serials.length === 0) return out;
  const rows = await q
    .selectFrom("certificate_lineage")
    .select(["serial_hex", "lineage_id"])
    .where("serial_hex", "in", serials)
    .execute();
  for (const r of rows) out.set(r.serial_hex, r.lineage_id);
  return out;
}

export interface LineageMember extends LineageRow {
  state: CertificateState | null;
}

/** The members of each lineage, oldest first, with their CA status. */
export async function lineageMembers(
  q: Db | Trx,
  lineageIds: string[],
): Promise<Map<string, LineageMember[]>> {
  const ids = [...new Set(lineageIds)];
  const out = new Map<string, LineageMember[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await q
    .selectFrom("certificate_lineage")
    .selectAll()
    .where("lineage_id", "in", ids)
    .orderBy("created_at")
    .orderBy("serial_hex")
    .execute();
  const states = await certificateStates(
    q,
    rows.map((r) => r.serial_hex),
  );
  for (const r of rows) out.get(r.lineage_id)?.push({ ...r, state: states.get(r.serial_hex) ?? null });
  for (const members of out.values()) byDescent(members);
  return out;
}

/**
 * Sorts a lineage's members by descent (a certificate after its predecessor), then by time: the chain
 * decides, not the clock that stamped the rows.
 */
function byDescent(members: LineageMember[]): void {
  const bySerial = new Map(members.map((m) => [m.serial_hex, m]));
  const depth = new Map<string, number>();
  const depthOf = (m: LineageMember, seen = 0): number => {
    const known = depth.get(m.serial_hex);
    if (known !== undefined) return known;
    const pred = m.predecessor_serial ? bySerial.get(m.predecessor_serial) : undefined;
    const d = pred && seen < members.length ? depthOf(pred, seen + 1) + 1 : 0;
    depth.set(m.serial_hex, d);
    return d;
  };
  members.sort((a, b) => depthOf(a) - depthOf(b) || a.created_at.localeCompare(b.created_at));
}

/** The head of a lineage: its newest certificate not revoked; null when every one is revoked. */
export function headOf(members: readonly LineageMember[]): LineageMember | null {
  for (let i = members.length - 1; i >= 0; i--) {
    if (members[i]!.state?.status === "good") return members[i]!;
  }
  return null;
}

export interface LineageOf {
  lineageId: string;
  /** The lineage's head serial (null: none left valid); a certificate outside any lineage heads itself. */
  head: string | null;
  members: LineageMember[];
}

/** For each serial: its lineage, the lineage's head and members. */
export async function lineagesOf(q: Db | Trx, serials: string[]): Promise<Map<string, LineageOf>> {
  const ids = await lineageIdsOf(q, serials);
  const members = await lineageMembers(q, [...ids.values()]);
  const out = new Map<string, LineageOf>();
  for (const s of serials) {
    const lineageId = ids.get(s) ?? s;
    const m = members.get(lineageId) ?? [];
    out.set(s, { lineageId, head: m.length ? (headOf(m)?.serial_hex ?? null) : s, members: m });
  }
  return out;
}
