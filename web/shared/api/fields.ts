// problem+json 422 answers list each invalid value with its location (`["body", "name"]`,
// `["body", "limits", "per_member"]`, `["query", "tag"]`); forms show each on its own field.
import type { Problem } from "./client";

/** A value's path inside the body, as forms name their controls: `["limits", 0, "per_member"]`. */
export type FieldName = (string | number)[];

export interface FieldError {
  /** The field's path inside the body (`["limits", "per_member"]`), empty for the body itself. */
  name: FieldName;
  errors: string[];
}

/** The 422's errors grouped by body field; errors on the query, the path or the body as a whole go
 * to `general`, shown above the form. */
export function fieldErrors(problem: Problem): { fields: FieldError[]; general: string[] } {
  const byField = new Map<string, FieldError>();
  const general: string[] = [];
  for (const error of problem.errors ?? []) {
    const [where, ...rest] = error.loc;
    if (where !== "body" || rest.length === 0) {
      general.push(rest.length ? `${rest.join(".")}: ${error.msg}` : error.msg);
      continue;
    }
    const name = rest.map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    const key = name.join(".");
    const entry = byField.get(key) ?? { name, errors: [] };
    entry.errors.push(error.msg);
    byField.set(key, entry);
  }
  if (!problem.errors?.length) general.push(problem.detail || problem.title);
  return { fields: [...byField.values()], general };
}

const keyOf = (name: FieldName) => name.map(String).join("\u0000");

/** The registered control an error at `name` should show on: itself, its closest ancestor (a word of
 * a word list → the list; a list item's field with no control → the list), or none. */
export function nearestControl(name: FieldName, registered: FieldName[]): FieldName | null {
  const known = new Set(registered.map(keyOf));
  for (let length = name.length; length > 0; length -= 1) {
    const candidate = name.slice(0, length);
    if (known.has(keyOf(candidate))) return candidate;
  }
  return null;
}

/** Each field error on its nearest registered control (its own errors first), the rest as lines for
 * above the form (`"a.b: first; second"`): an error set on a name no control has would vanish. */
export function placeFieldErrors(fields: FieldError[], registered: FieldName[]): { onControls: FieldError[]; above: string[] } {
  const placed = new Map<string, FieldError>();
  const above: string[] = [];
  const targets = fields.map((field) => ({ field, target: nearestControl(field.name, registered) }));
  // A control's own errors before those moved up to it from values inside it.
  const ordered = [
    ...targets.filter(({ field, target }) => target && keyOf(target) === keyOf(field.name)),
    ...targets.filter(({ field, target }) => !target || keyOf(target) !== keyOf(field.name)),
  ];
  for (const { field, target } of ordered) {
    if (!target) {
      above.push(`${field.name.join(".")}: ${field.errors.join("; ")}`);
      continue;
    }
    const entry = placed.get(keyOf(target)) ?? { name: target, errors: [] };
    entry.errors.push(...field.errors);
    placed.set(keyOf(target), entry);
  }
  return { onControls: [...placed.values()], above };
}
