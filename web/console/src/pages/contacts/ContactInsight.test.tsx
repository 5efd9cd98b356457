import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, renderInConsole } from "../../components/testing";
import { ContactInsight } from "./ContactInsight";
import { ContactScore } from "./ContactScore";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

afterEach(() => vi.unstubAllGlobals());

const insight = {
  contact_id: "ct_9",
  lifecycle: "dormant",
  lifecycle_since: "2026-02-01T08:00:00Z",
  first_active_at: "2025-06-01T08:00:00Z",
  last_active_at: "2026-01-01T08:00:00Z",
  last_order_at: "2026-01-01T08:00:00Z",
  orders_365: 3,
  amount_365_fen: 123456,
  orders_total: 7,
  points_earned: 900,
  points_balance: 420,
  points_tier: "Gold",
  rfm: { recency: 2, frequency: 4, monetary: 5, group: "重要挽留", computed_at: "2026-03-01T02:00:00Z" },
  lead_score: 37,
  lead_grade: "C",
  next_check_at: "2026-04-01T08:00:00Z",
};

describe("a contact's insight", () => {
  it("shows the stage as a badge, the amount in yuan, and the RFM scores with their group", async () => {
    fakeApi({ "GET /v1/contacts/{contact_id}/insight": () => [200, insight] });
    renderInConsole(<ContactInsight contactId="ct_9" />, { language: "zh-CN" });
    expect(await screen.findByText("休眠期", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(screen.getByText("¥1,234.56")).toBeInTheDocument();
    expect(screen.getByText("重要挽留")).toBeInTheDocument();
    const recency = screen.getByText("R（最近一次消费）").closest("td") as HTMLElement;
    expect(within(recency).getByText("2")).toBeInTheDocument();
    expect(screen.queryByText("近 365 天没有订单，不参与 RFM 评分")).not.toBeInTheDocument();
  }, SLOW);

  it("says why there is no RFM for a contact without orders", async () => {
    fakeApi({ "GET /v1/contacts/{contact_id}/insight": () => [200, { ...insight, lifecycle: "new", rfm: null, orders_365: 0, amount_365_fen: 0 }] });
    renderInConsole(<ContactInsight contactId="ct_9" />);
    expect(await screen.findByText("No orders in 365 days: not scored for RFM", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(screen.getByText("New")).toBeInTheDocument();
  }, SLOW);
});

describe("a contact's lead score", () => {
  it("shows score, grade, half-life and each contribution's points then and now", async () => {
    fakeApi({
      "GET /v1/contacts/{contact_id}/score": () => [
        200,
        {
          contact_id: "ct_9",
          score: 37,
          grade: "C",
          half_life_days: 30,
          next_cursor: null,
          contributions: [
            { rule_id: "paid", rule_name: "Paid order", type: "OrderPaid", event_id: "e1", occurred_at: "2026-02-01T08:00:00Z", points: 50, points_now: 25.04 },
          ],
        },
      ],
    });
    renderInConsole(<ContactScore contactId="ct_9" />);
    const row = (await screen.findByText("Paid order", {}, { timeout: SLOW / 2 })).closest("tr") as HTMLElement;
    expect(within(row).getByText("Order paid")).toBeInTheDocument();
    expect(within(row).getByText("+50")).toBeInTheDocument();
    expect(within(row).getByText("25.0")).toBeInTheDocument();
    expect(screen.getByText("37")).toBeInTheDocument();
    expect(screen.getByText("C")).toBeInTheDocument();
    expect(screen.getByText("30 days")).toBeInTheDocument();
  }, SLOW);
});
