import type { FastifyInstance } from "fastify";
import { AppError } from "../errors";
import { fieldLabel } from "../lib/zod-zh";

/** Deeper than any body a route takes; a deeper one is not walked further (zod refuses its shape). */
const MAX_DEPTH = 32;

/** The path of the first string (value or key) holding a NUL character, or null. */
export function findNul(
  value: unknown,
  path: (string | number)[] = [],
  depth = 0,
): (string | number)[] | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], [...path, i], depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key.includes("\u0000")) return [...path, key];
    const found = findNul(v, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * No text input may hold a NUL character (U+0000): PostgreSQL's text cannot store one (the query fails,
 * which used to answer 500), and no field of ours has a use for it. Checked once for every route, on
 * the parsed params, query and body, before schema validation; the answer names the field.
 */
export function registerInputGuard(app: FastifyInstance): void {
  app.addHook("preValidation", async (req) => {
    for (const part of [req.params, req.query, req.body]) {
      const path = findNul(part);
      if (!path) continue;
      throw new AppError("VALIDATION_FAILED", `${fieldLabel(path)}不能包含空字符（U+0000）`, {
        field: path.map(String).join(".") || "body",
      });
    }
  });
}
