import { render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LanguageProvider, type Language } from "@shared/i18n";
import { SlaBadge } from "./SlaBadge";
import { DUE_SOON_MINUTES, durationParts, slaOfCase, slaState } from "./sla";
import { aCase, aCaseDetail } from "./fixtures";
import type { CaseView } from "./model";

const NOW = new Date("2025-03-03T10:00:00Z");

function badge(item: CaseView, target: "first_response" | "resolution" = "first_response", language: Language = "en") {
  const { container } = render(
    <LanguageProvider storageKey="siyu.test.language" initial={language}>
      <SlaBadge target={target} item={item} />
    </LanguageProvider>,
  );
  const shown = container.querySelector("[data-sla]") as HTMLElement;
  expect(screen.getByText(shown.textContent ?? "")).toBeVisible();
  return shown;
}

describe("SlaBadge, with the clock fixed at 10:00", { timeout: 20_000 }, () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it("counts down to a due time further than an hour away", () => {
    const shown = badge(aCase({ first_response_due_at: "2025-03-03T13:05:00Z" }));
    expect(shown).toHaveAttribute("data-sla", "due");
    expect(shown).toHaveTextContent("First response: due in 3 h 5 min");
  });

  it("warns when the due time is within the hour", () => {
    const shown = badge(aCase({ first_response_due_at: "2025-03-03T10:25:00Z" }));
    expect(shown).toHaveAttribute("data-sla", "due_soon");
    expect(shown).toHaveTextContent("First response: due soon (25 min left)");
  });

  it("is breached when the API marked it, even before the sweep's due time passes again", () => {
    const shown = badge(aCase({ breached: ["resolution"], resolution_due_at: "2025-03-03T08:00:00Z" }), "resolution");
    expect(shown).toHaveAttribute("data-sla", "breached");
    expect(shown).toHaveTextContent("Resolution: breached by 2 h 0 min");
  });

  it("is breached as soon as the due time has passed, before the sweep marks it", () => {
    const shown = badge(aCase({ first_response_due_at: "2025-03-03T09:50:00Z" }));
    expect(shown).toHaveAttribute("data-sla", "breached");
    expect(shown).toHaveTextContent("First response: breached by 10 min");
  });

  it("is met once the first response went out, and for resolution once resolved", () => {
    expect(badge(aCase({ first_response_at: "2025-03-03T09:30:00Z", first_response_due_at: null }))).toHaveAttribute("data-sla", "met");
    const resolved = badge(aCase({ status: "resolved", resolution_due_at: null, first_response_at: "2025-03-03T09:30:00Z" }), "resolution");
    expect(resolved).toHaveAttribute("data-sla", "met");
    expect(resolved).toHaveTextContent("Resolution: met");
  });

  it("is paused while the case waits on the member (the API gives no due time then)", () => {
    const waiting = badge(aCase({ status: "waiting_on_customer", first_response_at: "2025-03-03T09:30:00Z", first_response_due_at: null, resolution_due_at: null }), "resolution");
    expect(waiting).toHaveAttribute("data-sla", "paused");
    expect(waiting).toHaveTextContent("Resolution: paused");
  });

  it("says none when the case has no SLA", () => {
    const shown = badge(aCase({ first_response_due_at: null, resolution_due_at: null }));
    expect(shown).toHaveAttribute("data-sla", "none");
    expect(shown).toHaveTextContent("First response: none");
  });

  it("speaks Chinese by default", () => {
    const shown = badge(aCase({ first_response_due_at: "2025-03-04T12:00:00Z" }), "first_response", "zh-CN");
    expect(shown).toHaveTextContent("首次响应：剩余 1 天 2 小时");
  });
});

describe("slaState", () => {
  const now = NOW.getTime();
  it("puts breached before met, met before paused, and due soon at the threshold", () => {
    expect(slaState({ dueAt: null, breached: true, met: true, paused: true }, now).kind).toBe("breached");
    expect(slaState({ dueAt: null, breached: false, met: true, paused: true }, now).kind).toBe("met");
    expect(slaState({ dueAt: "2025-03-03T12:00:00Z", breached: false, met: false, paused: true }, now).kind).toBe("paused");
    const threshold = new Date(now + DUE_SOON_MINUTES * 60_000).toISOString();
    expect(slaState({ dueAt: threshold, breached: false, met: false, paused: false }, now).kind).toBe("due_soon");
    const later = new Date(now + (DUE_SOON_MINUTES + 1) * 60_000).toISOString();
    expect(slaState({ dueAt: later, breached: false, met: false, paused: false }, now).kind).toBe("due");
  });

  it("reads the case view's paused clock", () => {
    const detail = aCaseDetail({ status: "in_progress", sla: { paused: true, breached: [], first_response_due_at: null, resolution_due_at: null, first_response_remaining_minutes: null, resolution_remaining_minutes: null } });
    expect(slaOfCase(detail, "resolution").paused).toBe(true);
  });

  it("formats durations", () => {
    expect(durationParts(59)).toEqual({ key: "minutes", values: { m: 59 } });
    expect(durationParts(61)).toEqual({ key: "hoursMinutes", values: { h: 1, m: 1 } });
    expect(durationParts(26 * 60 + 5)).toEqual({ key: "daysHours", values: { d: 1, h: 2 } });
  });
});
