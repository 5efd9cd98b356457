import { describe, expect, it } from "vitest";
import { formatMeasure, leader, measureValue, rowName, type KpiRow } from "./kpis";

const row = (over: Partial<KpiRow>): KpiRow => ({
  staff_id: "g1",
  name: "导购一",
  customers: 3,
  customers_at_start: 2,
  adds: 2,
  net_adds: 1,
  deletions_by_customer: 1,
  deletions_by_staff: 0,
  churn_rate: 0.25,
  code_scans: 0,
  code_adds: 0,
  lead_conversion: null,
  cases_resolved: 0,
  first_responses: 0,
  first_response_median_minutes: null,
  ratings: 0,
  csat_average: null,
  orders: 2,
  gmv_fen: 123456,
  tasks_done: 3,
  tasks_overdue: 1,
  ...over,
});

describe("KPI measures", () => {
  it("reads rates in percent and undefined ones as a dash", () => {
    expect(formatMeasure(row({}), "churn_rate")).toBe("25.0%");
    expect(formatMeasure(row({}), "lead_conversion")).toBe("—");
    expect(formatMeasure(row({}), "csat_average")).toBe("—");
    expect(formatMeasure(row({ csat_average: 4.333 }), "csat_average")).toBe("4.3");
  });

  it("reads GMV in yuan from fen", () => {
    expect(measureValue(row({}), "gmv")).toBe(1234.56);
    expect(formatMeasure(row({}), "gmv")).toBe("1,234.56");
  });

  it("names staff rows by name and department rows by id", () => {
    expect(rowName(row({}), (id) => `D${id}`)).toBe("导购一");
    expect(rowName(row({ name: null }), (id) => `D${id}`)).toBe("g1");
    expect(rowName(row({ staff_id: null, name: null, department_id: 7 }), (id) => `D${id}`)).toBe("D7");
  });

  it("finds the leader among defined values only", () => {
    const rows = [row({ staff_id: "a", lead_conversion: null }), row({ staff_id: "b", lead_conversion: 0.5 }), row({ staff_id: "c", lead_conversion: 0.2 })];
    expect(leader(rows, "lead_conversion")?.staff_id).toBe("b");
    expect(leader([row({})], "first_response_median_minutes")).toBeNull();
  });
});
