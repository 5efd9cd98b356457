import { render, screen, within } from "@testing-library/react";
import { LanguageProvider } from "@shared/i18n";
import { CheckinCalendar } from "./CheckinCalendar";
import { checkedInDays, monthGrid, streakDays } from "./checkinDays";

function marked(): string[] {
  return Array.from(document.querySelectorAll("td[data-checked='true']")).map((cell) => cell.getAttribute("data-day")!);
}

describe("check-in days", () => {
  it("counts the streak back from today, or from yesterday before today's check-in", () => {
    expect(streakDays({ today: "2025-03-12", streak: 3, checked_in_today: true })).toEqual(["2025-03-12", "2025-03-11", "2025-03-10"]);
    expect(streakDays({ today: "2025-03-01", streak: 2, checked_in_today: false })).toEqual(["2025-02-28", "2025-02-27"]);
    expect(streakDays({ today: "2025-03-12", streak: 0, checked_in_today: false })).toEqual([]);
  });

  it("adds the earlier check-ins the ledger tells of, and nothing else", () => {
    const days = checkedInDays({ today: "2025-03-12", streak: 1, checked_in_today: true }, [
      { type: "credit", source: "checkin:2025-03-03" },
      { type: "credit", source: "conversion:cmp_1:ct_1" },
      { type: "reversal", source: "checkin:2025-03-04" },
    ]);
    expect([...days].sort()).toEqual(["2025-03-03", "2025-03-12"]);
  });

  it("lays a month out Monday first", () => {
    const weeks = monthGrid("2025-03"); // 1 March 2025 is a Saturday
    expect(weeks[0]).toEqual([null, null, null, null, null, "2025-03-01", "2025-03-02"]);
    expect(weeks.at(-1)).toEqual(["2025-03-31", null, null, null, null, null, null]);
    expect(weeks.flat().filter(Boolean)).toHaveLength(31);
  });
});

describe("CheckinCalendar", () => {
  it("marks exactly the days checked in, and today", () => {
    const checked = checkedInDays({ today: "2025-03-12", streak: 3, checked_in_today: true }, [
      { type: "credit", source: "checkin:2025-03-02" },
    ]);
    render(
      <LanguageProvider storageKey="test.language" initial="zh-CN">
        <CheckinCalendar month="2025-03" checked={checked} today="2025-03-12" />
      </LanguageProvider>,
    );
    expect(screen.getByRole("table", { name: "2025年3月签到日历" })).toBeInTheDocument();
    expect(marked()).toEqual(["2025-03-02", "2025-03-10", "2025-03-11", "2025-03-12"]);
    const today = document.querySelector("td[data-day='2025-03-12']") as HTMLElement;
    expect(today).toHaveAttribute("aria-current", "date");
    expect(within(today).getByText("已签到")).toBeInTheDocument();
    const notChecked = document.querySelector("td[data-day='2025-03-09']") as HTMLElement;
    expect(within(notChecked).queryByText("已签到")).toBeNull();
    expect(screen.getAllByRole("columnheader").map((th) => th.textContent)).toEqual(["一", "二", "三", "四", "五", "六", "日"]);
  });
});
