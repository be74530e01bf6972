/**
 * Keyset paging over the audit log (`?before=<seq>`, newest first). The stack holds the `before`
 * cursor of every page visited, so 上一页 returns to exactly the page seen before, even while new
 * entries are appended at the top.
 */
export interface KeysetState {
  cursors: (number | undefined)[];
}

export const firstPage: KeysetState = { cursors: [undefined] };

export function currentCursor(s: KeysetState): number | undefined {
  return s.cursors[s.cursors.length - 1];
}

export function pageNumber(s: KeysetState): number {
  return s.cursors.length;
}

/** The page after this one, or null when this one was not full (nothing older exists). */
export function nextPage(
  s: KeysetState,
  entries: readonly { seq: number }[],
  limit: number,
): KeysetState | null {
  if (entries.length < limit) return null;
  const oldest = Math.min(...entries.map((e) => e.seq));
  return { cursors: [...s.cursors, oldest] };
}

export function prevPage(s: KeysetState): KeysetState | null {
  return s.cursors.length > 1 ? { cursors: s.cursors.slice(0, -1) } : null;
}
