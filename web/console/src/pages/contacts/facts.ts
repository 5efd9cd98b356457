// How a timeline entry reads: a message key and its values per fact type, from the entry's summary
// (non-personal details: ids, points, tag, brand, status, amount_fen…). Amounts are fen, shown in
// yuan. Enumerated words (case status, priority, login kind…) come from the caller's dictionaries.
import type { Schemas } from "@shared/api/client";
import type { InsightKey } from "./insightMessages";

export type TimelineEntry = Schemas["TimelineEntry"];
export type TimelineType = TimelineEntry["type"];

// Every type the API knows, in the order the filter offers them (the compiler checks the list is whole).
const TYPE_ORDER: Record<TimelineType, number> = {
  QrCodeScanned: 0,
  MemberLoggedIn: 1,
  ContactCreated: 2,
  ContactTagged: 3,
  ContactUntagged: 4,
  ContactOwnerChanged: 5,
  ContactsMerged: 6,
  CampaignConversionRecorded: 7,
  OrderPaid: 8,
  OrderRefunded: 9,
  PointsAwarded: 10,
  PointsReversed: 11,
  PointsExpired: 12,
  PointsAdjusted: 13,
  RewardRedeemed: 14,
  RedemptionFulfilled: 15,
  RedemptionCancelled: 16,
  TierChanged: 17,
  CaseOpened: 18,
  CaseStatusChanged: 19,
  CaseRated: 20,
  WeComContactAdded: 21,
  WeComContactRemoved: 22,
};

export const TIMELINE_TYPES = (Object.keys(TYPE_ORDER) as TimelineType[]).sort((a, b) => TYPE_ORDER[a] - TYPE_ORDER[b]);

/** "¥1,234.50" from 123450 fen ("-¥5.00" for a negative amount). */
export function yuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(fen));
  const whole = Math.floor(abs / 100).toLocaleString("en-US");
  return `${sign}¥${whole}.${String(abs % 100).padStart(2, "0")}`;
}

/** "+5" / "-3" / "0". */
export function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}

/** The words the fact needs from other dictionaries. */
export interface FactWords {
  caseStatus: (status: string) => string;
  casePriority: (priority: string) => string;
  loginKind: (kind: string) => string;
  brand: (brand: string | null) => string;
  evidence: (kind: string) => string;
  none: string;
}

export interface FactText {
  key: InsightKey;
  values: Record<string, string | number>;
}

type Summary = NonNullable<TimelineEntry["summary"]>;

function text(summary: Summary, field: string, none: string): string {
  const value = summary[field];
  if (value === null || value === undefined || value === "") return none;
  if (Array.isArray(value)) return value.length ? value.join("、") : none;
  return String(value);
}

function number(summary: Summary, field: string): number {
  const value = summary[field];
  return typeof value === "number" ? value : 0;
}

export function describeFact(entry: TimelineEntry, words: FactWords): FactText {
  const s: Summary = entry.summary ?? {};
  const t = (field: string) => text(s, field, words.none);
  switch (entry.type) {
    case "QrCodeScanned":
      return { key: s["acquired"] === true ? "fact_scan_acquired" : "fact_scan", values: { campaign: t("campaign_id"), channel: t("channel") } };
    case "MemberLoggedIn":
      return { key: "fact_login", values: { kind: words.loginKind(t("kind")), app: t("app_id") } };
    case "ContactCreated":
      return { key: "fact_created", values: { tags: t("tags") } };
    case "ContactTagged":
      return { key: "fact_tagged", values: { tag: t("tag") } };
    case "ContactUntagged":
      return { key: "fact_untagged", values: { tag: t("tag") } };
    case "ContactOwnerChanged": {
      const brand = words.brand(typeof s["brand"] === "string" ? s["brand"] : null);
      return s["owner"]
        ? { key: "fact_owner", values: { brand, owner: t("owner") } }
        : { key: "fact_owner_cleared", values: { brand, previous: t("previous_owner") } };
    }
    case "ContactsMerged":
      return { key: "fact_merged", values: { merged: t("merged_contact_id"), evidence: words.evidence(t("evidence")) } };
    case "CampaignConversionRecorded":
      return {
        key: s["rewarded"] === false ? "fact_conversion_unrewarded" : "fact_conversion",
        values: { campaign: t("campaign_id"), kind: t("kind"), points: number(s, "points") },
      };
    case "OrderPaid":
      return { key: "fact_order_paid", values: { order: t("order_id"), amount: yuan(number(s, "amount_fen")) } };
    case "OrderRefunded":
      return { key: "fact_order_refunded", values: { order: t("order_id"), amount: yuan(number(s, "amount_fen")) } };
    case "PointsAwarded":
      return { key: "fact_points_awarded", values: { points: number(s, "points"), balance: number(s, "balance") } };
    case "PointsReversed":
      return { key: "fact_points_reversed", values: { points: Math.abs(number(s, "points")), balance: number(s, "balance") } };
    case "PointsExpired":
      return { key: "fact_points_expired", values: { points: Math.abs(number(s, "points")), balance: number(s, "balance") } };
    case "PointsAdjusted":
      return { key: "fact_points_adjusted", values: { points: signed(number(s, "points")), balance: number(s, "balance") } };
    case "RewardRedeemed":
      return { key: "fact_reward_redeemed", values: { reward: t("reward_id"), points: Math.abs(number(s, "points")) } };
    case "RedemptionFulfilled":
      return { key: "fact_redemption_fulfilled", values: { redemption: t("redemption_id") } };
    case "RedemptionCancelled":
      return { key: "fact_redemption_cancelled", values: { redemption: t("redemption_id"), points: Math.abs(number(s, "points")) } };
    case "TierChanged":
      return { key: "fact_tier", values: { from: t("previous_tier"), to: t("tier") } };
    case "CaseOpened":
      return { key: "fact_case_opened", values: { case: t("case_id"), priority: s["priority"] ? words.casePriority(t("priority")) : words.none } };
    case "CaseStatusChanged":
      return {
        key: "fact_case_status",
        values: { case: t("case_id"), from: words.caseStatus(t("from_status")), to: words.caseStatus(t("to_status")) },
      };
    case "CaseRated":
      return { key: "fact_case_rated", values: { case: t("case_id"), rating: t("rating") } };
    case "WeComContactAdded":
      return { key: s["state"] ? "fact_wecom_added_code" : "fact_wecom_added", values: { staff: t("staff_id"), code: t("state") } };
    case "WeComContactRemoved":
      return {
        key: s["removed_by"] === "customer" ? "fact_wecom_removed_by_customer" : "fact_wecom_removed_by_staff",
        values: { staff: t("staff_id") },
      };
    default:
      return { key: "fact_other", values: { type: String((entry as TimelineEntry).type) } };
  }
}
