// What an error says to the person, and where a 422's field errors show on a form: pure, so
// forms.tsx (and the tests) share it.
import type { FieldError } from "@shared/api/fields";

export type FieldName = (string | number)[];

/** The words for an error: an ApiError's problem detail (or title), else its message. */
export function problemText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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

/** Each field error on its nearest control (its own errors first), the rest as lines for above
 * the form (`"a.b: first; second"`). */
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
