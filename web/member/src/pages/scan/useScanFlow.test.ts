// The landing page counts a scan once: a reload within RECORDED_FOR_MS after the API took it (202)
// waits for its points without posting again (a link shared as another share is another scan);
// a scan that never got its 202 is posted again.
import type { Api } from "@shared/api/client";
import type { Entry } from "./waitForPoints";
import { RECORDED_FOR_MS, runScan, type ScanOf, type ScanState } from "./useScanFlow";

const scan: ScanOf = { tenantId: "t-1", contactId: "c_1", code: "K7" };
const credit = (id: string, points = 100): Entry =>
  ({
    entry_id: id,
    type: "credit",
    points,
    earned: points,
    capped: 0,
    unrecovered: 0,
    balance_after: points,
    reason: "campaign_acquisition",
    source: `conversion:cmp:${id}`,
    created_at: "2025-03-12T01:00:00Z",
    lots: [],
  }) as Entry;

const ok = (status: number, body: unknown) => ({ data: body, response: new Response(null, { status }) });

/** A member API: `credits` is what GET /v1/me/points/entries answers (newest first); the scan's
 * credit arrives once a scan was posted; `postFails` makes POST /v1/scans fail without an answer. */
function fakeApi(credits: Entry[], options: { postFails?: boolean } = {}) {
  const posted: unknown[] = [];
  const api = {
    GET: vi.fn(async () => ok(200, { items: credits })),
    POST: vi.fn(async (_path: string, init: { body: unknown }) => {
      if (options.postFails) throw new TypeError("Failed to fetch");
      posted.push(init.body);
      credits.unshift(credit(`scan-${posted.length}`));
      return ok(202, { scan_id: "s1" });
    }),
  };
  return { api: api as unknown as Api, posted, fail: (fails: boolean) => (options.postFails = fails) };
}

async function run(api: Api, now: number): Promise<ScanState[]> {
  const states: ScanState[] = [];
  await runScan(api, scan, (state) => states.push(state), () => false, { now: () => now, wait: { intervalMs: 1, timeoutMs: 50 } });
  return states;
}

describe("runScan", () => {
  beforeEach(() => sessionStorage.clear());

  it("posts the scan once, then a reload within 10 minutes shows that scan's points without posting again", async () => {
    const { api, posted } = fakeApi([credit("old")]);
    const first = await run(api, 1_000_000);
    expect(posted).toEqual([{ code: "K7" }]);
    expect(first.at(-1)).toMatchObject({ phase: "awarded", entry: { entry_id: "scan-1" } });
    expect(JSON.parse(sessionStorage.getItem("scanned:t-1:K7")!)).toMatchObject({ contactId: "c_1", at: 1_000_000, known: ["old"] });

    const reload = await run(api, 1_000_000 + RECORDED_FOR_MS - 1);
    expect(posted).toHaveLength(1);
    expect(reload.map((s) => s.phase)).toEqual(["waiting", "awarded"]);
    expect(reload.at(-1)).toMatchObject({ entry: { entry_id: "scan-1" } });
  });

  it("counts a new scan once the remembered one is 10 minutes old, or for another member or code", async () => {
    const { api, posted } = fakeApi([]);
    await run(api, 0);
    await run(api, RECORDED_FOR_MS);
    expect(posted).toHaveLength(2);
    await runScan(api, { ...scan, contactId: "c_2" }, () => undefined, () => false, { now: () => RECORDED_FOR_MS, wait: { intervalMs: 1, timeoutMs: 50 } });
    await runScan(api, { ...scan, code: "K8" }, () => undefined, () => false, { now: () => RECORDED_FOR_MS, wait: { intervalMs: 1, timeoutMs: 50 } });
    expect(posted).toHaveLength(4);
  });

  it("sends how the link was opened, and counts another share of the code as another scan", async () => {
    const { api, posted } = fakeApi([]);
    const opening = { share_id: "sh_1", opened_in: "group" as const, device_id: "h5-device-1" };
    const options = { now: () => 0, wait: { intervalMs: 1, timeoutMs: 50 } };
    await runScan(api, { ...scan, opening }, () => undefined, () => false, options);
    await runScan(api, { ...scan, opening }, () => undefined, () => false, options); // a reload
    await runScan(api, { ...scan, opening: { ...opening, share_id: "sh_2" } }, () => undefined, () => false, options);
    expect(posted).toEqual([
      { code: "K7", share_id: "sh_1", opened_in: "group", device_id: "h5-device-1" },
      { code: "K7", share_id: "sh_2", opened_in: "group", device_id: "h5-device-1" },
    ]);
  });

  it("posts again on a retry after a network failure that never got the 202", async () => {
    const { api, posted, fail } = fakeApi([], { postFails: true });
    const failed = await run(api, 0);
    expect(failed.at(-1)).toMatchObject({ phase: "failed" });
    expect(sessionStorage.getItem("scanned:t-1:K7")).toBeNull();
    fail(false);
    const retried = await run(api, 1);
    expect(posted).toEqual([{ code: "K7" }]);
    expect(retried.at(-1)).toMatchObject({ phase: "awarded" });
  });
});
