// problem+json 422 answers list each invalid value with its location (`["body", "name"]`,
// `["body", "limits", "per_member"]`, `["query", "tag"]`); forms show each on its own field.
import type { Problem } from "./client";

export interface FieldError {
  /** The field's path inside the body (`["limits", "per_member"]`), empty for the body itself. */
  name: (string | number)[];
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
