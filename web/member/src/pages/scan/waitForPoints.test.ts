// @vitest-environment node
import type { Entry } from "./waitForPoints";
import { FIRST_POLL_MS, MAX_POLL_MS, POLL_TIMEOUT_MS, nextGap, scanCredit, waitForPoints } from "./waitForPoints";

function entry(id: string, over: Partial<Entry> = {}): Entry {
  return {
    entry_id: id,
    type: "credit",
    points: 100,
    balance_after: 100,
    reason: "campaign_acquisition",
    source: `conversion:cmp_1:${id}`,
    created_at: "2025-03-12T01:00:00Z",
    lots: [],
    ...over,
  } as Entry;
}

describe("scanCredit", () => {
  it("finds a campaign conversion's credit that was not there before the scan", () => {
    const old = entry("e1");
    const checkin = entry("e2", { reason: "checkin", source: "checkin:2025-03-12" });
    const fresh = entry("e3");
    expect(scanCredit([checkin, old], new Set(["e1"]))).toBeNull();
    expect(scanCredit([fresh, checkin, old], new Set(["e1"]))).toBe(fresh);
  });
});

describe("waitForPoints", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reads at once, then after gaps growing from 150 ms, and stops as soon as the scan's credit arrives", async () => {
    const known = entry("old");
    const fresh = entry("new", { points: 50 });
    let reads = 0;
    const read = vi.fn(async () => (++reads < 4 ? [known] : [fresh, known]));
    const result = waitForPoints(read, new Set(["old"]));
    await vi.advanceTimersByTimeAsync(0);
    expect(read).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(FIRST_POLL_MS);
    expect(read).toHaveBeenCalledTimes(2);
    const second = nextGap(FIRST_POLL_MS);
    expect(second).toBeGreaterThan(FIRST_POLL_MS);
    await vi.advanceTimersByTimeAsync(second - 1);
    expect(read).toHaveBeenCalledTimes(2); // the gap grew
    await vi.advanceTimersByTimeAsync(1);
    expect(read).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(nextGap(second));
    await expect(result).resolves.toBe(fresh);
    expect(read).toHaveBeenCalledTimes(4);
    await vi.advanceTimersByTimeAsync(MAX_POLL_MS * 5);
    expect(read).toHaveBeenCalledTimes(4); // no read after the answer
  });

  it("waits one gap before the first read when asked (a scan posted just now)", async () => {
    const read = vi.fn(async () => [entry("new")]);
    const result = waitForPoints(read, new Set(), { waitFirst: true });
    await vi.advanceTimersByTimeAsync(FIRST_POLL_MS - 1);
    expect(read).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toEqual(entry("new"));
  });

  it("never waits more than a second between reads, and gives up after about 15 s: the scan earned no points", async () => {
    const read = vi.fn(async () => [] as Entry[]);
    let settled: Entry | null | undefined;
    void waitForPoints(read, new Set()).then((value) => (settled = value));
    await vi.advanceTimersByTimeAsync(POLL_TIMEOUT_MS - 1_000);
    expect(settled).toBeUndefined();
    const before = read.mock.calls.length;
    await vi.advanceTimersByTimeAsync(MAX_POLL_MS);
    expect(read.mock.calls.length).toBeGreaterThan(before); // the gap stopped growing at a second
    await vi.advanceTimersByTimeAsync(1_000);
    expect(settled).toBeNull();
    // Growing gaps: far fewer reads than one every 150 ms, and not fewer than one a second.
    expect(read.mock.calls.length).toBeLessThan(POLL_TIMEOUT_MS / FIRST_POLL_MS / 3);
    expect(read.mock.calls.length).toBeGreaterThanOrEqual(POLL_TIMEOUT_MS / MAX_POLL_MS);
  });

  it("tries again after a failed read, and stops when cancelled", async () => {
    const fresh = entry("new");
    const read = vi.fn().mockRejectedValueOnce(new Error("offline")).mockResolvedValue([fresh]);
    const result = waitForPoints(read, new Set());
    await vi.advanceTimersByTimeAsync(FIRST_POLL_MS);
    await expect(result).resolves.toBe(fresh);

    let cancelled = false;
    const never = vi.fn(async () => [] as Entry[]);
    const stopped = waitForPoints(never, new Set(), { cancelled: () => cancelled });
    await vi.advanceTimersByTimeAsync(FIRST_POLL_MS);
    cancelled = true;
    await vi.advanceTimersByTimeAsync(MAX_POLL_MS);
    await expect(stopped).resolves.toBeNull();
    const calls = never.mock.calls.length;
    await vi.advanceTimersByTimeAsync(MAX_POLL_MS * 5);
    expect(never.mock.calls.length).toBe(calls);
  });
});
