// @vitest-environment node
import dayjs from "dayjs";
import { describe, expect, it } from "vitest";
import { businessToday, formatRecentTime, formatTime } from "./format";

describe("formatTime", () => {
  it("shows a time to the minute in local time, a dash for none, and odd text as it came", () => {
    const at = "2025-03-03T09:05:00Z";
    expect(formatTime(at)).toBe(dayjs(at).format("YYYY-MM-DD HH:mm"));
    expect(formatRecentTime(at)).toBe(dayjs(at).format("MM-DD HH:mm"));
    expect(formatTime(null)).toBe("—");
    expect(formatTime(undefined)).toBe("—");
    expect(formatTime("soon")).toBe("soon");
  });
});

describe("businessToday", () => {
  it("is the day in Shanghai, not in the browser's zone", () => {
    expect(businessToday(new Date("2026-12-02T16:30:00Z"))).toBe("2026-12-03");
    expect(businessToday(new Date("2026-12-02T15:59:00Z"))).toBe("2026-12-02");
  });
});
