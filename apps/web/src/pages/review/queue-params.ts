/** The review queue's tabs: the states a reviewer works on (DESIGN §3: submitted → in_review, or returned). */
export const REVIEW_TABS = ["submitted", "in_review", "returned"] as const;
export type ReviewTab = (typeof REVIEW_TABS)[number];

/** The tab out of the URL; anything unknown falls back to 待审核. (Filters: api/queues filtersFrom.) */
export function parseQueueParams(params: URLSearchParams): { tab: ReviewTab } {
  const rawTab = params.get("tab");
  const tab = (REVIEW_TABS as readonly string[]).includes(rawTab ?? "") ? (rawTab as ReviewTab) : "submitted";
  return { tab };
}
