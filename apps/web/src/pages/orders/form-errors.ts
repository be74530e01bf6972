import type { FieldProblem } from "../../api/client";
import { fieldPath } from "./logic";

export type NamePath = (string | number)[];

/** Where a server field problem goes: a form name path, or null for a message without a field. */
export type ResolveField = (path: NamePath) => NamePath | null;

/** 新证's rule: nested handler and item fields ("handler.idNumber", "items.1.caTypeId"). */
export const nestedHandlerOrItem: ResolveField = (path) =>
  path.length > 1 && (path[0] === "handler" || path[0] === "items") ? path : null;

const same = (a: NamePath, b: NamePath) => a.length === b.length && a.every((p, i) => p === b[i]);

/**
 * A resolver for a form whose inputs are exactly `known`: a server path that is an input goes there; a
 * path that is a parent of inputs ("items.0.changes" when the form has items.0.changes.name) goes to
 * the first of them (one item, "items.0", goes to its first input); anything else (the whole list, a
 * field the form does not show) is not placed.
 */
export function resolveAmong(known: readonly NamePath[]): ResolveField {
  return (path) => {
    if (path.length === 0) return null;
    const exact = known.find((k) => same(k, path));
    if (exact) return exact;
    // A whole list ("items") is about the order, not one input: a toast.
    if (path.length < 2) return null;
    const child = known.find((k) => k.length > path.length && path.every((p, i) => k[i] === p));
    return child ?? null;
  };
}

/**
 * Splits a server problem (problem+json `errors[]`, or its single `field`) into errors placed on the
 * form's inputs and whether something is left for a toast.
 */
export function placeProblems(
  problem: { field?: string; detail: string; errors: readonly FieldProblem[] },
  resolve: ResolveField,
): { placed: { name: NamePath; errors: string[] }[]; rest: boolean } {
  const problems =
    problem.errors.length > 0
      ? problem.errors
      : problem.field
        ? [{ field: problem.field, message: problem.detail }]
        : [];
  const byName = new Map<string, { name: NamePath; errors: string[] }>();
  let unplaced = 0;
  for (const p of problems) {
    const name = resolve(fieldPath(p.field));
    if (!name) {
      unplaced++;
      continue;
    }
    const key = JSON.stringify(name);
    const entry = byName.get(key) ?? { name, errors: [] };
    entry.errors.push(p.message);
    byName.set(key, entry);
  }
  return { placed: [...byName.values()], rest: unplaced > 0 || problems.length === 0 };
}
