// A campaign's funnel (`GET /v1/campaigns/{id}/stats`) as rows for the chart and its text: one row
// per code, channel or staff member, busiest first.
import type { Schemas } from "@shared/api/client";

export type Dimension = "code" | "channel" | "staff";
export const DIMENSIONS: readonly Dimension[] = ["code", "channel", "staff"];

export interface FunnelRow {
  key: string;
  label: string;
  scans: number;
  unique_scanners: number;
  acquired: number;
  engaged: number;
}

export const STAGES = ["scans", "unique_scanners", "acquired", "engaged"] as const;

function counters(from: Schemas["CodeStats"] | Schemas["ChannelStats"] | Schemas["StaffStats"]) {
  return { scans: from.scans, unique_scanners: from.unique_scanners, acquired: from.acquired, engaged: from.engaged };
}

/** Rows for one dimension, by scans then scanners (most first), then label. */
export function funnelRows(stats: Schemas["CampaignStats"], dimension: Dimension, noStaff = "—"): FunnelRow[] {
  let rows: FunnelRow[];
  if (dimension === "code") {
    rows = stats.by_code.map((code) => ({
      key: code.code,
      label: [code.channel, code.store, code.staff_id].filter(Boolean).join(" · ") + ` (${code.code})`,
      ...counters(code),
    }));
  } else if (dimension === "channel") {
    rows = stats.by_channel.map((channel) => ({ key: channel.channel, label: channel.channel, ...counters(channel) }));
  } else {
    rows = stats.by_staff.map((staff) => ({ key: staff.staff_id, label: staff.staff_id || noStaff, ...counters(staff) }));
  }
  return rows.sort((a, b) => b.scans - a.scans || b.unique_scanners - a.unique_scanners || a.label.localeCompare(b.label));
}

/** Conversions (new + known contacts converted) per unique scanner, or null with no scanner. */
export function conversionRate(row: Pick<FunnelRow, "unique_scanners" | "acquired" | "engaged">): number | null {
  return row.unique_scanners > 0 ? (row.acquired + row.engaged) / row.unique_scanners : null;
}
