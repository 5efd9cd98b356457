import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "@shared/api/client";
import { fakeApi, renderInConsole } from "../../components/testing";
import BroadcastPage from "./BroadcastPage";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

const BROADCAST: Schemas["BroadcastView"] = {
  broadcast_id: "bc1",
  name: "会员日",
  channel: "wecom_customer",
  template_id: "tpl1",
  segment_id: "seg1",
  contact_ids: null,
  staff_ids: null,
  send_at: null,
  scheduled_for: "2030-05-01T02:00:00Z",
  tracked_code: null,
  status: "completed",
  stats: { targeted: 500, skipped: { no_consent: 50, cap_reached: 30, no_wecom_relationship: 20 }, queued: 400, sent: 400, delivered: 390, failed: 10, conversions: 7 },
  created_by: "a1",
  created_at: "2030-05-01T01:00:00Z",
  updated_at: "2030-05-01T03:00:00Z",
  sent_at: "2030-05-01T02:00:00Z",
  version: 3,
};

const dispatch = (staff_id: string, staff_name: string | null, status: Schemas["DispatchView"]["status"], delivered: number): Schemas["DispatchView"] => ({
  staff_id,
  staff_name,
  status,
  recipients: 200,
  delivered,
  failed: 0,
  unsent: 200 - delivered,
  rejected: 0,
  reason: null,
  updated_at: "2030-05-01T03:00:00Z",
});

afterEach(() => vi.unstubAllGlobals());

describe("a broadcast's page", () => {
  it("shows its stats, skips by reason and each WeCom staff member's confirmation by name, and no change once sent", async () => {
    fakeApi({
      "GET /v1/broadcasts/{broadcast_id}": () => [200, BROADCAST],
      "GET /v1/broadcasts/{broadcast_id}/dispatches": () => [200, { items: [dispatch("anna", "安娜", "confirmed", 190), dispatch("ben", null, "pending", 0)], next_cursor: null }],
      "GET /v1/templates/{template_id}": () => [200, { template_id: "tpl1", name: "会员日模板", channel: "wecom_customer", content: { text: "hi" }, created_at: "", created_by: "", updated_at: "", variables: [], version: 1 }],
      "GET /v1/segments": () => [200, { items: [] }],
    });
    renderInConsole(<BroadcastPage />, { url: "/broadcasts/bc1", path: "/broadcasts/:broadcastId" });
    const stats = await screen.findByTestId("broadcast-stats", {}, { timeout: SLOW / 2 });
    expect(stats).toHaveTextContent("No marketing consent");
    expect(stats).toHaveTextContent("Not a WeCom friend");
    expect(stats).toHaveTextContent("390");
    const table = await screen.findByTestId("dispatches");
    expect(table).toHaveTextContent("Confirmed");
    expect(table).toHaveTextContent("Pending");
    expect(table).toHaveTextContent("安娜"); // the name outreach knows
    expect(table).not.toHaveTextContent("anna");
    expect(table).toHaveTextContent("ben"); // no name known: the id
    expect(await screen.findByText("会员日模板")).toBeInTheDocument();
    expect(screen.queryByText("Cancel broadcast")).toBeNull();
    expect(screen.queryByText("Edit")).toBeNull();
  }, SLOW);
});
