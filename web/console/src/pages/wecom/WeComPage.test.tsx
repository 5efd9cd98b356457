import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "@shared/api/client";
import { fakeApi, formItem, renderInConsole } from "../../components/testing";
import WeComPage from "./WeComPage";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

const RELATIONSHIP: Schemas["RelationshipView"] = {
  corp_id: "ww1",
  staff_id: "g1",
  external_userid: "wmABC",
  contact_id: "ct_1",
  status: "active",
  generation: 2,
  name: "王芳",
  remark: null,
  add_way: 1,
  state: "C1",
  added_at: "2026-03-01T10:00:00Z",
  removed_at: null,
  removed_by: null,
};

afterEach(() => vi.unstubAllGlobals());

describe("the WeCom page", () => {
  it("shows a guide their own relationships and only the tabs they may use", async () => {
    const api = fakeApi({ "GET /v1/wecom/relationships": () => [200, { items: [RELATIONSHIP], next_cursor: null }] });
    renderInConsole(<WeComPage />, { roles: ["guide"], staffId: "g1", url: "/wecom" });
    expect(await screen.findByText("wmABC", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(screen.getAllByRole("tab").map((tab) => tab.textContent)).toEqual(["Relationships", "Deletions"]);
    expect(screen.getByText("ct_1").closest("a")).toHaveAttribute("href", "/contacts/ct_1");
    expect(screen.getByText("Friends")).toBeInTheDocument();
    expect(api.requests[0].query.get("staff_id")).toBe("g1");
  }, SLOW);

  it("asks a manager for a staff id before listing", async () => {
    const api = fakeApi({});
    renderInConsole(<WeComPage />, { roles: ["manager"], url: "/wecom" });
    expect(await screen.findByText("Enter a staff id to search.")).toBeInTheDocument();
    expect(screen.getAllByRole("tab").map((tab) => tab.textContent)).toEqual(["Relationships", "Deletions", "Staff", "Transfers"]);
    expect(api.requests).toHaveLength(0);
  }, SLOW);

  it("puts a transfer's 422 field errors on their fields", async () => {
    const api = fakeApi({
      "GET /v1/wecom/transfers": () => [200, { items: [], next_cursor: null }],
      "POST /v1/wecom/transfers": () => [
        422,
        { type: "about:blank", title: "Unprocessable", status: 422, detail: "bad", errors: [{ loc: ["body", "to_staff"], msg: "to_staff is departed" }] },
      ],
    });
    renderInConsole(<WeComPage />, { roles: ["admin"], url: "/wecom?tab=transfers" });
    fireEvent.change(await screen.findByLabelText("From staff", {}, { timeout: SLOW / 2 }), { target: { value: "a1" } });
    fireEvent.change(screen.getByLabelText("To staff"), { target: { value: "gone" } });
    fireEvent.click(screen.getByRole("button", { name: "Start transfer" }));
    await waitFor(() => expect(formItem("To staff")).toHaveTextContent("to_staff is departed"), { timeout: SLOW / 2 });
    const post = api.requests.find((request) => request.method === "POST");
    expect(post?.body).toEqual({ from_staff: "a1", to_staff: "gone", departed: false, all: true });
    expect(await screen.findByText("No transfers yet")).toBeInTheDocument();
  }, SLOW);

  it("never prefills a corp's secrets and says which are stored", async () => {
    fakeApi({
      "GET /v1/wecom/settings": () => [
        200,
        { corps: [{ corp_id: "ww1", agent_id: 1000002, brand: null, callback_path: "/v1/channels/wecom/t-test/callback", secrets_set: ["contact"], updated_at: "2026-03-01T10:00:00Z" }] },
      ],
      "GET /v1/wecom/welcome-messages": () => [200, { items: [] }],
    });
    renderInConsole(<WeComPage />, { roles: ["admin"], url: "/wecom?tab=settings" });
    expect(await screen.findByText("Customer contact secret", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(screen.getByText(/\/v1\/channels\/wecom\/t-test\/callback$/)).toBeInTheDocument();
    expect(screen.getByText("No welcome message yet")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Edit ww1" }));
    expect(await screen.findByLabelText("Self-built app secret")).toHaveValue("");
    expect(screen.getByLabelText("Token")).toHaveValue("");
    expect(screen.getByLabelText("Corp id")).toHaveValue("ww1");
  }, SLOW);
});
