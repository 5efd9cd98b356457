// The landing page's wait for the points a scan earned. A scan is recorded at once (202), and the
// points follow through events (scan → attribution → conversion → credit), so the page polls the
// member's credits: the entry it waits for is a campaign conversion's credit that was not there
// before the scan (a campaign converts a member once; its credit's source is `conversion:...`).
import type { Schemas } from "@shared/api/client";

export type Entry = Schemas["Entry"];

export const POLL_INTERVAL_MS = 300;
export const POLL_TIMEOUT_MS = 15_000;

/** The credit this scan earned, among the newest entries, or null while it has not arrived. */
export function scanCredit(entries: readonly Entry[], known: ReadonlySet<string>): Entry | null {
  return entries.find((entry) => !known.has(entry.entry_id) && entry.type === "credit" && entry.source.startsWith("conversion:")) ?? null;
}

export interface WaitOptions {
  intervalMs?: number;
  timeoutMs?: number;
  /** Stop early (the page went away): resolves null. */
  cancelled?: () => boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Read the newest credits every `intervalMs` until this scan's credit appears (→ it) or
 * `timeoutMs` passed (→ null: the scan earned no points). A failed read is tried again. */
export async function waitForPoints(
  read: () => Promise<readonly Entry[]>,
  known: ReadonlySet<string>,
  { intervalMs = POLL_INTERVAL_MS, timeoutMs = POLL_TIMEOUT_MS, cancelled = () => false }: WaitOptions = {},
): Promise<Entry | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (cancelled()) return null;
    try {
      const found = scanCredit(await read(), known);
      if (found) return found;
    } catch {
      // a lost poll is retried at the next tick
    }
    if (cancelled() || Date.now() + intervalMs > deadline) return null;
    await sleep(intervalMs);
  }
}
