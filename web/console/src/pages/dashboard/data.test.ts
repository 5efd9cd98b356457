// @vitest-environment node
import { dailySeries, peak, percent, shortDate, statusCounts, total } from "./data";

const days = [
  { date: "2026-11-28", new_contacts: 3, scans: 0 },
  { date: "2026-11-29", new_contacts: 0, scans: 4 },
  { date: "2026-11-30", new_contacts: 3, scans: 1 },
];

describe("daily figures", () => {
  it("sums a figure over the window and finds its latest busiest day", () => {
    expect(total(days, "new_contacts")).toBe(6);
    expect(total(days, "missing")).toBe(0);
    expect(peak(days, "new_contacts")).toEqual({ date: "2026-11-30", value: 3 });
    expect(peak([{ date: "2026-11-30", scans: 0 }], "scans")).toBeNull();
  });

  it("makes one series per figure over short dates, oldest first", () => {
    expect(dailySeries(days, ["new_contacts", "scans"])).toEqual({
      dates: ["11-28", "11-29", "11-30"],
      series: [
        { key: "new_contacts", values: [3, 0, 3] },
        { key: "scans", values: [0, 4, 1] },
      ],
    });
    expect(shortDate("not a date")).toBe("not a date");
  });
});

describe("cases figures", () => {
  it("orders open cases the way a case moves, unknown statuses last, zeros dropped", () => {
    expect(statusCounts({ waiting_on_customer: 1, zzz: 2, new: 4, assigned: 0, in_progress: 2 })).toEqual([
      ["new", 4],
      ["in_progress", 2],
      ["waiting_on_customer", 1],
      ["zzz", 2],
    ]);
  });

  it("shows rates as percentages, nothing when there is nothing to rate", () => {
    expect(percent(0.8765)).toBe("87.7%");
    expect(percent(1)).toBe("100%");
    expect(percent(null)).toBeNull();
  });
});
