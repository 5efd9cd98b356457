// The landing page's wait for the points a scan earned. A scan is recorded at once (202), and the
// points follow through events (scan → attribution → conversion → credit), so the page polls the
// member's credits: the entry it waits for is a campaign conversion's credit that was not there
// before the scan (a campaign converts a member once; its credit's source is `conversion:...`).
import type { Schemas } from "@shared/api/client";

export type Entry = Schemas["Entry"];

// The gaps between reads grow from FIRST_POLL_MS by POLL_GROWTH up to MAX_POLL_MS: the credit
// follows three event hops, a few hundred ms on the local stack and about a second or two in AWS,
// so early reads are close together and a slow chain costs about twenty reads in 15 s, not fifty.
export const FIRST_POLL_MS = 150;
export const POLL_GROWTH = 1.25;
export const MAX_POLL_MS = 1_000;
export const POLL_TIMEOUT_MS = 15_000;

/** The gap after one of `gapMs`. */
export function nextGap(gapMs: number, maxMs = MAX_POLL_MS): number {
  return Math.min(maxMs, Math.round(gapMs * POLL_GROWTH));
}

/** The credit this scan earned, among the newest entries, or null while it has not arrived. */
export function scanCredit(entries: readonly Entry[], known: ReadonlySet<string>): Entry | null {
  return entries.find((entry) => !known.has(entry.entry_id) && entry.type === "credit" && entry.source.startsWith("conversion:")) ?? null;
}

export interface WaitOptions {
  /** The first gap between reads (then growing, see nextGap). */
  intervalMs?: number;
  maxIntervalMs?: number;
  timeoutMs?: number;
  /** Wait one gap before the first read (the scan was just posted: its credit cannot be there yet). */
  waitFirst?: boolean;
  /** Stop early (the page went away): resolves null. */
  cancelled?: () => boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Read the newest credits, more and more slowly, until this scan's credit appears (→ it) or
 * `timeoutMs` passed (→ null: the scan earned no points). A failed read is tried again. */
export async function waitForPoints(
  read: () => Promise<readonly Entry[]>,
  known: ReadonlySet<string>,
  {
    intervalMs = FIRST_POLL_MS,
    maxIntervalMs = MAX_POLL_MS,
    timeoutMs = POLL_TIMEOUT_MS,
    waitFirst = false,
    cancelled = () => false,
  }: WaitOptions = {},
): Promise<Entry | null> {
  const deadline = Date.now() + timeoutMs;
  let gap = intervalMs;
  if (waitFirst) {
    await sleep(gap);
    gap = nextGap(gap, maxIntervalMs);
  }
  for (;;) {
    if (cancelled()) return null;
    try {
      const found = scanCredit(await read(), known);
      if (found) return found;
    } catch {
      // a lost read is tried again after the next gap
    }
    if (cancelled() || Date.now() + gap > deadline) return null;
    await sleep(gap);
    gap = nextGap(gap, maxIntervalMs);
  }
}
