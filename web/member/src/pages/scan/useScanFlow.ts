// Record the scan once per page, then wait for its points.
import { useCallback, useEffect, useRef, useState } from "react";
import { unwrap, type Api } from "@shared/api/client";
import { useApi } from "../../app";
import { waitForPoints, type Entry } from "./waitForPoints";

export type ScanState =
  | { phase: "recording" }
  | { phase: "waiting" }
  | { phase: "awarded"; entry: Entry }
  | { phase: "none" }
  | { phase: "failed"; error: unknown };

const NEWEST = { limit: 10, type: ["credit" as const] };

async function newestCredits(api: Api): Promise<Entry[]> {
  return (await unwrap(api.GET("/v1/me/points/entries", { params: { query: NEWEST } }))).items;
}

export async function runScan(api: Api, code: string, update: (state: ScanState) => void, cancelled: () => boolean) {
  try {
    const known = new Set((await newestCredits(api)).map((entry) => entry.entry_id));
    await unwrap(api.POST("/v1/scans", { body: { code } }));
    update({ phase: "waiting" });
    const entry = await waitForPoints(() => newestCredits(api), known, { cancelled });
    if (!cancelled()) update(entry && entry.points > 0 ? { phase: "awarded", entry } : { phase: "none" });
  } catch (error) {
    if (!cancelled()) update({ phase: "failed", error });
  }
}

export function useScanFlow(code: string): { state: ScanState; retry: () => void } {
  const api = useApi();
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
        code,
        (next) => mounted.current && setState(next),
        () => !mounted.current,
      );
    }
    return () => {
      mounted.current = false;
    };
  }, [api, code, attempt]);

  const retry = useCallback(() => {
    setState({ phase: "recording" });
    setAttempt((n) => n + 1);
  }, []);
  return { state, retry };
}
