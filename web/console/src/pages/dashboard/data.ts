// The dashboard's arithmetic, apart from the widgets so it can be tested alone: the daily-stats
// answers are every day of the window, oldest first, zeros included.
import { STATUSES } from "../../components/caseVocabulary";

/** A day of any daily-stats answer: its date and its counters. */
export type DayRow = { date: string } & { [figure: string]: number | string };

export type Period = 1 | 7 | 30;
export const PERIODS: readonly Period[] = [1, 7, 30];

function value(day: DayRow, key: string): number {
  const found = day[key];
  return typeof found === "number" ? found : 0;
}

/** The sum of one figure over the window. */
export function total(days: readonly DayRow[], key: string): number {
  return days.reduce((sum, day) => sum + value(day, key), 0);
}

/** The busiest day for a figure (the latest of equals), or null when every day is zero. */
export function peak(days: readonly DayRow[], key: string): { date: string; value: number } | null {
  let best: { date: string; value: number } | null = null;
  for (const day of days) {
    const figure = value(day, key);
    if (figure > 0 && (!best || figure >= best.value)) best = { date: day.date, value: figure };
  }
  return best;
}

/** Axis labels and one series per figure, ready for a line or bar chart. */
export function dailySeries(days: readonly DayRow[], keys: readonly string[]) {
  return {
    dates: days.map((day) => shortDate(day.date)),
    series: keys.map((key) => ({ key, values: days.map((day) => value(day, key)) })),
  };
}

/** "2026-11-30" → "11-30": the year is obvious on a 30-day dashboard. */
export function shortDate(date: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? date.slice(5) : date;
}


/** Open cases by status in the order a case moves through them (unknown statuses last), zeros dropped. */
export function statusCounts(openByStatus: Record<string, number>): [string, number][] {
  const rank = (status: string) => {
    const at = (STATUSES as readonly string[]).indexOf(status);
    return at < 0 ? STATUSES.length : at;
  };
  return Object.entries(openByStatus)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

/** A rate in [0, 1] as a whole percentage, or null when there is nothing to rate. */
export function percent(rate: number | null | undefined): string | null {
  return rate === null || rate === undefined ? null : `${Math.round(rate * 1000) / 10}%`;
}
