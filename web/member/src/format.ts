// Dates and times as a member reads them, in the page's language and the phone's time zone.
import type { Language } from "@shared/i18n";

const DAY: Intl.DateTimeFormatOptions = { year: "numeric", month: "2-digit", day: "2-digit" };

function format(iso: string, language: Language, options: Intl.DateTimeFormatOptions): string {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  return new Intl.DateTimeFormat(language === "en" ? "en-GB" : "zh-CN", options).format(when);
}

export function formatDateTime(iso: string, language: Language): string {
  return format(iso, language, { ...DAY, hour: "2-digit", minute: "2-digit" });
}

export function formatDate(iso: string, language: Language): string {
  return format(iso, language, DAY);
}
