import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, renderInConsole } from "../../components/testing";
import { ContactTimeline } from "./ContactTimeline";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

afterEach(() => vi.unstubAllGlobals());

const paid = { event_id: "e3", type: "OrderPaid", occurred_at: "2026-03-03T08:00:00Z", source: "partner.shop", summary: { order_id: "o-9", amount_fen: 19950 } };
const tagged = { event_id: "e2", type: "ContactTagged", occurred_at: "2026-03-02T08:00:00Z", source: "siyu.contacts", summary: { tag: "VIP" } };
const status = {
  event_id: "e1",
  type: "CaseStatusChanged",
  occurred_at: "2026-03-01T08:00:00Z",
  source: "siyu.cases",
  summary: { case_id: "case_1", from_status: "new", to_status: "resolved" },
};

describe("a contact's timeline", () => {
  it("reads each fact in words, loads the next page below, and filters by type", async () => {
    const api = fakeApi({
      "GET /v1/contacts/{contact_id}/timeline": (request) => {
        if (request.query.getAll("types").length) return [200, { items: [tagged], next_cursor: null }];
        return request.query.get("cursor") === "p2" ? [200, { items: [status], next_cursor: null }] : [200, { items: [paid, tagged], next_cursor: "p2" }];
      },
    });
    renderInConsole(<ContactTimeline contactId="ct_9" />, { language: "zh-CN" });
    expect(await screen.findByText("支付订单 o-9，金额 ¥199.50", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(screen.getByText("打上标签「VIP」")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "加载更多" }));
    expect(await screen.findByText("工单 case_1：待分配 → 已解决")).toBeInTheDocument();
    expect(screen.getByText("支付订单 o-9，金额 ¥199.50")).toBeInTheDocument(); // appended, not replaced
    expect(screen.getByText("已显示全部")).toBeInTheDocument();

    fireEvent.mouseDown(screen.getByLabelText("事件类型"));
    await userEvent.click(await screen.findByTitle("打标签"));
    await waitFor(() => expect(screen.queryByText("支付订单 o-9，金额 ¥199.50")).not.toBeInTheDocument());
    expect(api.requests.map((request) => [request.path, request.query.getAll("types"), request.query.get("cursor")])).toEqual([
      ["/v1/contacts/ct_9/timeline", [], null],
      ["/v1/contacts/ct_9/timeline", [], "p2"],
      ["/v1/contacts/ct_9/timeline", ["ContactTagged"], null],
    ]);
  }, SLOW);

  it("says so when there is nothing, and shows the API's error with a retry", async () => {
    let fail = true;
    fakeApi({
      "GET /v1/contacts/{contact_id}/timeline": () =>
        fail ? [500, { type: "about:blank", title: "Boom", status: 500, detail: "store down" }] : [200, { items: [], next_cursor: null }],
    });
    renderInConsole(<ContactTimeline contactId="ct_9" />);
    expect(await screen.findByText("store down", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    fail = false;
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByText("No activity recorded yet")).toBeInTheDocument();
  }, SLOW);
});
