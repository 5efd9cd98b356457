// The KPI report's measures: which field each is, how it reads (a rate may be null when it is
// undefined — no scans, no friends, no ratings — and then reads "—"), and a row's name.
import type { Schemas } from "@shared/api/client";

export type KpiRow = Schemas["KpiRow"];
export type GroupBy = Schemas["KpiReport"]["group_by"];
export type Period = Schemas["KpiReport"]["period"];

export const MEASURES = [
  "customers",
  "adds",
  "net_adds",
  "deletions_by_customer",
  "deletions_by_staff",
  "churn_rate",
  "lead_conversion",
  "cases_resolved",
  "first_response_median_minutes",
  "csat_average",
  "orders",
  "gmv",
  "tasks_done",
  "tasks_overdue",
] as const;
export type Measure = (typeof MEASURES)[number];

const RATES: ReadonlySet<Measure> = new Set<Measure>(["churn_rate", "lead_conversion"]);
export const NONE = "—";

/** The measure's value as a number for the chart (GMV in yuan); null when undefined. */
export function measureValue(row: KpiRow, measure: Measure): number | null {
  if (measure === "gmv") return row.gmv_fen / 100;
  return row[measure];
}

/** The measure as the table shows it: rates in percent, GMV in yuan with two decimals, "—" for null. */
export function formatMeasure(row: KpiRow, measure: Measure): string {
  const value = measureValue(row, measure);
  if (value === null || value === undefined) return NONE;
  if (RATES.has(measure)) return `${(value * 100).toFixed(1)}%`;
  if (measure === "gmv") return value.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (measure === "csat_average" || measure === "first_response_median_minutes") return String(Math.round(value * 10) / 10);
  return String(value);
}

/** The row's name: the staff member's name (or id), or the department's id in words. */
export function rowName(row: KpiRow, departmentName: (id: number) => string): string {
  if (row.department_id !== null && row.department_id !== undefined) return departmentName(row.department_id);
  return row.name || row.staff_id || NONE;
}

/** The row that leads on the measure (the highest defined value), for the chart's text summary. */
export function leader(rows: KpiRow[], measure: Measure): KpiRow | null {
  let best: KpiRow | null = null;
  for (const row of rows) {
    const value = measureValue(row, measure);
    if (value === null) continue;
    if (best === null || value > (measureValue(best, measure) ?? -Infinity)) best = row;
  }
  return best;
}
