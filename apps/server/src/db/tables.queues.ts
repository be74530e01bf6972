/** The back office's queues (migration 0018). Same portability rules as tables.ts. */
export interface ReviewClaimsTable {
  order_id: string;
  staff_id: string;
  claimed_at: string;
  /** A claim older than this is free again: a reviewer who walked away does not hold the order for ever. */
  expires_at: string;
}

/** The envelope an applicant mailed with the materials (the waybill they gave), and when the window got it. */
export interface InboundMailTable {
  order_id: string;
  courier: string;
  waybill: string;
  declared_at: string;
  received_at: string | null;
  received_by: string | null;
}

export interface SavedFiltersTable {
  id: string;
  staff_id: string;
  /** Which queue the filter belongs to (review, appointments, mail, payments). */
  queue: string;
  name: string;
  /** The filter as the queue's query string. */
  query: string;
  created_at: string;
}

export interface QueueTables {
  review_claims: ReviewClaimsTable;
  inbound_mail: InboundMailTable;
  saved_filters: SavedFiltersTable;
}
