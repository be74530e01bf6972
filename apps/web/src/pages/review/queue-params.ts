/** The review queue's tabs: the states a reviewer works on (DESIGN §3: submitted → in_review, or returned). */
export const REVIEW_TABS = ["submitted", "in_review", "returned"] as const;
export type ReviewTab = (typeof REVIEW_TABS)[number];

/** Tab, search text and page out of the URL; anything unknown falls back to the first page of 待审核. */
export function parseQueueParams(params: URLSearchParams): { tab: ReviewTab; q: string; page: number } {
  const rawTab = params.get("tab");
  const tab = (REVIEW_TABS as readonly string[]).includes(rawTab ?? "") ? (rawTab as ReviewTab) : "submitted";
  const q = (params.get("q") ?? "").trim().slice(0, 60);
  const n = Number.parseInt(params.get("page") ?? "1", 10);
  const page = Number.isFinite(n) && n >= 1 && n <= 5000 ? n : 1;
  return { tab, q, page };
}
