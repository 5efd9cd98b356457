import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, renderInConsole } from "../../components/testing";
import TemplatesPage from "./TemplatesPage";

afterEach(() => vi.unstubAllGlobals());

const item = {
  template_id: "tpl_1", name: "积分提醒", channel: "wecom_customer", content: { text: "您好 {name}" },
  variables: ["name"], version: 1, created_by: "a1", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z",
};

describe("the templates page", () => {
  it("shows a guide the templates, without writing, deleting or the sending rules", async () => {
    const api = fakeApi({ "GET /v1/templates": () => [200, { items: [item], next_cursor: null }] });
    renderInConsole(<TemplatesPage />, { roles: ["guide"] });
    expect(await screen.findByRole("button", { name: "积分提醒" }, { timeout: 10_000 })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /New template/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Delete/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Sending rules" })).not.toBeInTheDocument();
    expect(api.requests.map((request) => request.path)).toEqual(["/v1/templates"]);
  }, 20_000);
});
