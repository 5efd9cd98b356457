// @vitest-environment node
import type { Schemas } from "@shared/api/client";
import { conversionRate, funnelRows } from "./funnel";

const zero = { scans: 0, unique_scanners: 0, acquired: 0, engaged: 0, points_awarded: 0, qualified: 0, clawed_back: 0, shares: 0, share_rewards: 0 };
const stats: Schemas["CampaignStats"] = {
  campaign_id: "cmp_1",
  scans: 12,
  unique_scanners: 9,
  acquired: 5,
  engaged: 1,
  points_awarded: 510,
  qualified: 0,
  clawed_back: 0, shares: 0, share_rewards: 0,
  by_code: [
    { ...zero, code: "c1", channel: "poster", store: "sh-01", staff_id: "s1", scans: 2, unique_scanners: 2, acquired: 1 },
    { ...zero, code: "c2", channel: "counter", store: null, staff_id: null, scans: 10, unique_scanners: 7, acquired: 4, engaged: 1 },
  ],
  by_channel: [
    { ...zero, channel: "poster", scans: 2, unique_scanners: 2 },
    { ...zero, channel: "counter", scans: 10, unique_scanners: 7 },
  ],
  by_staff: [{ ...zero, staff_id: "s1", scans: 2, unique_scanners: 2 }],
};

describe("funnelRows", () => {
  it("labels codes by channel, store and staff, busiest first", () => {
    expect(funnelRows(stats, "code").map((row) => [row.label, row.scans, row.acquired, row.engaged])).toEqual([
      ["counter (c2)", 10, 4, 1],
      ["poster · sh-01 · s1 (c1)", 2, 1, 0],
    ]);
  });

  it("groups by channel and by staff", () => {
    expect(funnelRows(stats, "channel").map((row) => row.key)).toEqual(["counter", "poster"]);
    expect(funnelRows(stats, "staff")).toEqual([{ key: "s1", label: "s1", scans: 2, unique_scanners: 2, acquired: 0, engaged: 0 }]);
  });

  it("breaks ties by scanners, then by label", () => {
    const tied = { ...stats, by_channel: [{ ...zero, channel: "b", scans: 1, unique_scanners: 1 }, { ...zero, channel: "a", scans: 1, unique_scanners: 1 }, { ...zero, channel: "c", scans: 1, unique_scanners: 2 }] };
    expect(funnelRows(tied, "channel").map((row) => row.key)).toEqual(["c", "a", "b"]);
  });
});

describe("conversionRate", () => {
  it("is conversions per unique scanner, none without scanners", () => {
    expect(conversionRate(stats)).toBeCloseTo(6 / 9);
    expect(conversionRate(zero)).toBeNull();
  });
});
