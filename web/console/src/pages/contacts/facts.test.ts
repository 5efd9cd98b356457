// @vitest-environment node
import { describe, expect, it } from "vitest";
import { describeFact, signed, TIMELINE_TYPES, yuan, type FactWords, type TimelineEntry } from "./facts";

const words: FactWords = {
  caseStatus: (status) => `status:${status}`,
  casePriority: (priority) => `priority:${priority}`,
  loginKind: (kind) => `kind:${kind}`,
  brand: (brand) => (brand && brand !== "*" ? `brand:${brand}` : "all"),
  evidence: (kind) => `by:${kind}`,
  none: "none",
};

function entry(type: TimelineEntry["type"], summary: TimelineEntry["summary"]): TimelineEntry {
  return { event_id: "ev_1", type, occurred_at: "2026-03-01T08:00:00Z", source: "siyu.test", summary };
}

describe("yuan", () => {
  it("reads fen as yuan with two decimals and thousands separators", () => {
    expect(yuan(0)).toBe("¥0.00");
    expect(yuan(5)).toBe("¥0.05");
    expect(yuan(19900)).toBe("¥199.00");
    expect(yuan(123456789)).toBe("¥1,234,567.89");
    expect(yuan(-250)).toBe("-¥2.50");
  });

  it("signs points", () => {
    expect([signed(5), signed(-3), signed(0)]).toEqual(["+5", "-3", "0"]);
  });
});

describe("describeFact", () => {
  it("puts each type's summary into its words", () => {
    expect(describeFact(entry("OrderPaid", { order_id: "o-1", amount_fen: 12345, brand: "b" }), words)).toEqual({
      key: "fact_order_paid",
      values: { order: "o-1", amount: "¥123.45" },
    });
    expect(describeFact(entry("OrderRefunded", { order_id: "o-1", refund_id: "r", amount_fen: 500 }), words).values).toEqual({ order: "o-1", amount: "¥5.00" });
    expect(describeFact(entry("PointsAdjusted", { points: -30, balance: 70 }), words)).toEqual({ key: "fact_points_adjusted", values: { points: "-30", balance: 70 } });
    expect(describeFact(entry("PointsExpired", { points: -10, balance: 0 }), words).values).toEqual({ points: 10, balance: 0 });
    expect(describeFact(entry("ContactTagged", { tag: "VIP" }), words)).toEqual({ key: "fact_tagged", values: { tag: "VIP" } });
    expect(describeFact(entry("ContactCreated", { tags: ["a", "b"], identity_kinds: ["phone"] }), words).values).toEqual({ tags: "a、b" });
    expect(describeFact(entry("ContactCreated", { tags: [] }), words).values).toEqual({ tags: "none" });
    expect(describeFact(entry("CaseStatusChanged", { case_id: "c1", from_status: "new", to_status: "resolved" }), words).values).toEqual({
      case: "c1",
      from: "status:new",
      to: "status:resolved",
    });
    expect(describeFact(entry("CaseOpened", { case_id: "c1", priority: "urgent" }), words).values).toEqual({ case: "c1", priority: "priority:urgent" });
    expect(describeFact(entry("MemberLoggedIn", { app_id: "wx1", kind: "mini_program" }), words).values).toEqual({ kind: "kind:mini_program", app: "wx1" });
    expect(describeFact(entry("ContactsMerged", { merged_contact_id: "ct_2", evidence: "phone" }), words).values).toEqual({ merged: "ct_2", evidence: "by:phone" });
    expect(describeFact(entry("TierChanged", { previous_tier: null, tier: "Gold" }), words).values).toEqual({ from: "none", to: "Gold" });
  });

  it("tells a first-touch scan, an unrewarded conversion and a cleared owner apart", () => {
    expect(describeFact(entry("QrCodeScanned", { campaign_id: "cmp", channel: "store", acquired: true }), words).key).toBe("fact_scan_acquired");
    expect(describeFact(entry("QrCodeScanned", { campaign_id: "cmp", acquired: false }), words)).toEqual({
      key: "fact_scan",
      values: { campaign: "cmp", channel: "none" },
    });
    expect(describeFact(entry("CampaignConversionRecorded", { campaign_id: "cmp", kind: "signup", rewarded: false }), words).key).toBe(
      "fact_conversion_unrewarded",
    );
    expect(describeFact(entry("ContactOwnerChanged", { brand: "*", previous_owner: "s1", owner: null }), words)).toEqual({
      key: "fact_owner_cleared",
      values: { brand: "all", previous: "s1" },
    });
    expect(describeFact(entry("ContactOwnerChanged", { brand: "b1", owner: "s2" }), words)).toEqual({ key: "fact_owner", values: { brand: "brand:b1", owner: "s2" } });
  });

  it("offers every type the API knows, once, and survives a summary without the fields", () => {
    expect(new Set(TIMELINE_TYPES).size).toBe(23);
    for (const type of TIMELINE_TYPES) {
      const text = describeFact(entry(type, {}), words);
      expect(text.key).toMatch(/^fact_/);
      expect(text.key).not.toBe("fact_other");
    }
  });
});
