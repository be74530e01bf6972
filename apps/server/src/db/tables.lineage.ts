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
}

export interface LineageTables {
  certificate_lineage: CertificateLineageTable;
}
