// How a timestamp reads on every page: the reader's local time, to the minute.
import dayjs from "dayjs";

function format(at: string | null | undefined, pattern: string): string {
  if (!at) return "—";
  const parsed = dayjs(at);
  return parsed.isValid() ? parsed.format(pattern) : at;
}

/** "2025-03-03 17:00" ("—" for none; the text as given when it is not a time). One argument, so it
 * can be a table column's `render`. */
export function formatTime(at: string | null | undefined): string {
  return format(at, "YYYY-MM-DD HH:mm");
}

/** "03-03 17:00", where the year goes without saying (a narrow column of recent times). */
export function formatRecentTime(at: string | null | undefined): string {
  return format(at, "MM-DD HH:mm");
}

/** The business zone: days in the API (KPIs, daily figures) are Asia/Shanghai days. */
export const BUSINESS_ZONE = "Asia/Shanghai";

/** Today in the business zone (YYYY-MM-DD), whatever zone the browser is in. */
export function businessToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: BUSINESS_ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}
