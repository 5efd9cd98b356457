// Which days of a month the member checked in. GET /v1/me/checkins gives only the current streak
// (how many days, ending today or yesterday), so the days before it come from the ledger: every
// check-in is a credit whose source is `checkin:<local date>`.
import type { Schemas } from "@shared/api/client";

type CheckinStatus = Schemas["CheckinStatus"];
type Entry = Schemas["Entry"];

const DAY_MS = 86_400_000;

function toUtc(iso: string): number {
  const [y, m, d] = iso.split("-").map(Number);
  return Date.UTC(y!, m! - 1, d!);
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  return isoDay(toUtc(iso) + days * DAY_MS);
}

/** The streak's days: `streak` days ending today (checked in today) or yesterday. */
export function streakDays(status: Pick<CheckinStatus, "today" | "streak" | "checked_in_today">): string[] {
  const last = status.checked_in_today ? status.today : addDays(status.today, -1);
  return Array.from({ length: status.streak }, (_, i) => addDays(last, -i));
}

const CHECKIN_SOURCE = /^checkin:(\d{4}-\d{2}-\d{2})$/;

/** Every day checked in that the status and the ledger entries tell of. */
export function checkedInDays(
  status: Pick<CheckinStatus, "today" | "streak" | "checked_in_today">,
  entries: readonly Pick<Entry, "source" | "type">[],
): Set<string> {
  const days = new Set(streakDays(status));
  for (const entry of entries) {
    const match = entry.type === "credit" ? CHECKIN_SOURCE.exec(entry.source) : null;
    if (match) days.add(match[1]!);
  }
  return days;
}

/** The month's weeks, Monday first: each a list of 7 ISO days or null outside the month. */
export function monthGrid(month: string): (string | null)[][] {
  const [y, m] = month.split("-").map(Number);
  const first = Date.UTC(y!, m! - 1, 1);
  const days = new Date(Date.UTC(y!, m!, 0)).getUTCDate();
  const lead = (new Date(first).getUTCDay() + 6) % 7; // Monday = 0
  const cells: (string | null)[] = [
    ...Array<null>(lead).fill(null),
    ...Array.from({ length: days }, (_, i) => isoDay(first + i * DAY_MS)),
  ];
  while (cells.length % 7) cells.push(null);
  return Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
}
