// Certificates as lineages (DESIGN §8, migration 0015).
import type { BusinessCode } from "@certhall/domain";

export interface CertificateLineageTable {
  /** The certificate (pki_certificates.serial_hex). */
  serial_hex: string;
  /** The serial of the lineage's first certificate. */
  lineage_id: string;
  /** The certificate this one succeeds; null for the first of a lineage. */
  predecessor_serial: string | null;
  /** The business that made it. */
  business: BusinessCode;
  order_id: string | null;
  item_id: string | null;
  created_at: string;
  /** The subject version the certificate was issued with (migration 0016). */
  subject_version_id: string | null;
}

/** A subject's version (DESIGN §8): 变更 makes a new one; subjects holds the current values. */
export interface SubjectVersionsTable {
  id: string;
  subject_id: string;
  version: number;
  kind: "company" | "person";
  name: string;
  identity_key: string;
  legal_rep: string | null;
  address: string | null;
  /** The 变更 order that made it; null for a version made by the applicant's own edit or the backfill. */
  order_id: string | null;
  created_at: string;
}

export interface LineageTables {
  certificate_lineage: CertificateLineageTable;
  subject_versions: SubjectVersionsTable;
}
