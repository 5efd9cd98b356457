// Record the scan once, then wait for its points. "Once" survives the page: after the API took the
// scan (202) the page remembers it for this tab (`scanned:<tenant>:<code>[:<share>]`), so a reload,
// the back button or a retry within RECORDED_FOR_MS waits for (or shows) that scan's points instead
// of counting another scan. A scan that never got its 202 (a network failure) is posted again.
import { useCallback, useEffect, useRef, useState } from "react";
import { unwrap, type Api } from "@shared/api/client";
import { useApi, useMemberApp } from "../../app";
import type { Opening } from "./opening";
import { waitForPoints, type Entry, type WaitOptions } from "./waitForPoints";

export type ScanState =
  | { phase: "recording" }
  | { phase: "waiting" }
  | { phase: "awarded"; entry: Entry }
  | { phase: "none" }
  | { phase: "failed"; error: unknown };

/** How long a recorded scan stands for the same code on this tab. */
export const RECORDED_FOR_MS = 10 * 60_000;

const NEWEST = { limit: 10, type: ["credit" as const] };

async function newestCredits(api: Api): Promise<Entry[]> {
  return (await unwrap(api.GET("/v1/me/points/entries", { params: { query: NEWEST } }))).items;
}

/** Who scanned what: the member's tenant and contact, and the code; how the link was opened (see
 * ./opening), when the page knows. */
export interface ScanOf {
  tenantId: string;
  contactId: string;
  code: string;
  opening?: Opening;
}

interface Recorded {
  contactId: string;
  at: number; // epoch ms of the 202
  known: string[]; // the member's newest credits before the scan: its credit is the one not among them
}

// A link shared as another share is another opening of the code (each share counts on its own).
const recordKey = ({ tenantId, code, opening }: ScanOf) =>
  `scanned:${tenantId}:${code}${opening?.share_id ? `:${opening.share_id}` : ""}`;

/** The scan this tab recorded for this member and code less than RECORDED_FOR_MS ago, if any. */
export function recordedScan(scan: ScanOf, now = Date.now()): Recorded | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(recordKey(scan)) ?? "null") as Recorded | null;
    if (value && value.contactId === scan.contactId && now - value.at >= 0 && now - value.at < RECORDED_FOR_MS) return value;
  } catch {
    // unreadable: as if there were none
  }
  return null;
}

function rememberScan(scan: ScanOf, known: ReadonlySet<string>, now: number): void {
  const value: Recorded = { contactId: scan.contactId, at: now, known: [...known] };
  sessionStorage.setItem(recordKey(scan), JSON.stringify(value));
}

export async function runScan(
  api: Api,
  scan: ScanOf,
  update: (state: ScanState) => void,
  cancelled: () => boolean,
  { now = Date.now, wait }: { now?: () => number; wait?: WaitOptions } = {},
) {
  try {
    let known: ReadonlySet<string>;
    const recorded = recordedScan(scan, now());
    if (recorded) known = new Set(recorded.known);
    else {
      known = new Set((await newestCredits(api)).map((entry) => entry.entry_id));
      await unwrap(api.POST("/v1/scans", { body: { code: scan.code, ...scan.opening } }));
      rememberScan(scan, known, now());
    }
    update({ phase: "waiting" });
    // A scan recorded just now has no credit yet; one recorded before this page (a reload) may.
    const entry = await waitForPoints(() => newestCredits(api), known, { waitFirst: !recorded, ...wait, cancelled });
    if (!cancelled()) update(entry && entry.points > 0 ? { phase: "awarded", entry } : { phase: "none" });
  } catch (error) {
    if (!cancelled()) update({ phase: "failed", error });
  }
}

export function useScanFlow(code: string, opening?: Opening): { state: ScanState; retry: () => void } {
  const api = useApi();
  const { session } = useMemberApp();
  const tenantId = session?.tenantId ?? "";
  const contactId = session?.contactId ?? "";
  const [state, setState] = useState<ScanState>({ phase: "recording" });
  const [attempt, setAttempt] = useState(0);
  const mounted = useRef(true);
  const started = useRef(-1);

  useEffect(() => {
    mounted.current = true;
    // Once per attempt, even when StrictMode runs this effect twice: a scan is counted each time.
    if (started.current !== attempt) {
      started.current = attempt;
      void runScan(
        api,
        { tenantId, contactId, code, opening },
        (next) => mounted.current && setState(next),
        () => !mounted.current,
      );
    }
    return () => {
      mounted.current = false;
    };
  }, [api, code, opening, attempt, tenantId, contactId]);

  const retry = useCallback(() => {
    setState({ phase: "recording" });
    setAttempt((n) => n + 1);
  }, []);
  return { state, retry };
}
