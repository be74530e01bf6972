import { useCallback, useEffect, useState } from "react";

/**
 * Keyset paging in the browser: the cursors of the pages seen so far (page 1 has none), so 上一页
 * goes back without the server counting rows. A new filter starts again at page 1.
 */
export function useKeyset(resetKey: string) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: resetKey is the trigger
  useEffect(() => setCursors([undefined]), [resetKey]);
  const page = cursors.length;
  const after = cursors[cursors.length - 1];
  const next = useCallback((cursor: string | null) => {
    if (cursor) setCursors((c) => [...c, cursor]);
  }, []);
  const prev = useCallback(() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)), []);
  return { page, after, next, prev };
}

/** A key press meant for the page, not for a field being typed in or a shortcut with a modifier. */
export function isPageKey(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const el = e.target as HTMLElement | null;
  if (!el) return true;
  const tag = el.tagName;
  return !(tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable);
}

/** j/k move the highlighted row, Enter opens it: the queue's keyboard. */
export function useRowKeys<T>(rows: readonly T[], open: (row: T) => void) {
  const [index, setIndex] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new page starts at its first row
  useEffect(() => setIndex(0), [rows]);
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (!isPageKey(e) || rows.length === 0) return;
      if (e.key === "j") setIndex((i) => Math.min(rows.length - 1, i + 1));
      else if (e.key === "k") setIndex((i) => Math.max(0, i - 1));
      else if (e.key === "Enter" && rows[index]) open(rows[index]);
      else return;
      e.preventDefault();
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [rows, index, open]);
  return index;
}
