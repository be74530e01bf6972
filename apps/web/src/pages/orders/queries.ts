/** React-query keys of the applicant's orders; lists share a prefix so one invalidation refreshes all tabs. */
export const orderKeys = {
  lists: ["orders", "list"] as const,
  list: (tab: string, q: string, after: string) => ["orders", "list", tab, q, after] as const,
  detail: (id: string) => ["orders", "detail", id] as const,
  receipt: (id: string) => ["orders", "receipt", id] as const,
};
