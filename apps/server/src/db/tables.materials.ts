import type { Selectable } from "kysely";

export type MaterialReviewStatus = "pending" | "accepted" | "rejected";
export type MaterialOriginalResult = "match" | "mismatch";

/** migration 0019: one file uploaded for one material of one subject of an order. */
export interface MaterialUploadsTable {
  id: string;
  order_id: string;
  subject_id: string;
  code: string;
  /** "" for a one-file material; "front" / "back" for the two sides of an ID card. */
  part: string;
  sha256: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  pages: number | null;
  filename: string;
  uploaded_by: string;
  uploaded_at: string;
  superseded_at: string | null;
  review_status: MaterialReviewStatus;
  review_reason: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  original_result: MaterialOriginalResult | null;
  original_note: string | null;
  original_by: string | null;
  original_at: string | null;
}

export interface MaterialTables {
  material_uploads: MaterialUploadsTable;
}

export type MaterialUpload = Selectable<MaterialUploadsTable>;
