import type { ApiError } from "../api/client";

export interface FieldError {
  name: string;
  errors: string[];
}

/**
 * Server validation names inputs as `phone`, `body.phone` or a JSON pointer `/phone`; forms name them
 * `phone`. Normalise to the last segment.
 */
export function normaliseField(field: string): string {
  const parts = field.split(/[./]/).filter(Boolean);
  return parts[parts.length - 1] ?? field;
}

/**
 * Splits a server problem into errors that belong on an input of this form and a message for
 * everything else (shown as a toast). A field the form does not have is not silently dropped.
 */
export function splitProblem(
  err: Pick<ApiError, "field" | "errors" | "detail">,
  formFields: readonly string[],
): { fields: FieldError[]; message: string | null } {
  const known = new Set(formFields);
  const byField = new Map<string, string[]>();
  const leftovers: string[] = [];
  const add = (field: string, msg: string) => {
    const name = normaliseField(field);
    if (known.has(name)) byField.set(name, [...(byField.get(name) ?? []), msg]);
    else leftovers.push(msg);
  };
  for (const e of err.errors) add(e.field, e.message);
  if (err.field && !err.errors.some((e) => normaliseField(e.field) === normaliseField(err.field!))) {
    add(err.field, err.detail);
  }
  const fields = [...byField].map(([name, errors]) => ({ name, errors }));
  let message: string | null = null;
  if (fields.length === 0) message = err.detail;
  else if (leftovers.length > 0) message = leftovers.join("；");
  return { fields, message };
}
