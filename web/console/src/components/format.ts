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
