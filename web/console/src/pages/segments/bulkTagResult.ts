// A bulk tagging job's result (services/contacts/logic/bulk_tags.py): its counts and the first
// failures, read defensively from the kind-specific `result` object.
export const BULK_TAG_COUNTS = ["tagged", "unchanged", "failed"] as const;
export type BulkTagCount = (typeof BULK_TAG_COUNTS)[number];

export interface BulkTagFailure {
  contact_id: string;
  reason: string;
}

export interface BulkTagResult {
  counts: Record<BulkTagCount, number>;
  failures: BulkTagFailure[];
}

export function bulkTagResult(result: Record<string, unknown>): BulkTagResult {
  const counts = Object.fromEntries(BULK_TAG_COUNTS.map((key) => [key, typeof result[key] === "number" ? result[key] : 0])) as Record<BulkTagCount, number>;
  const listed = Array.isArray(result.failures) ? (result.failures as unknown[]) : [];
  const failures = listed.flatMap((item): BulkTagFailure[] => {
    if (!item || typeof item !== "object") return [];
    const { contact_id, reason } = item as Record<string, unknown>;
    return typeof contact_id === "string" ? [{ contact_id, reason: typeof reason === "string" ? reason : "" }] : [];
  });
  return { counts, failures };
}
