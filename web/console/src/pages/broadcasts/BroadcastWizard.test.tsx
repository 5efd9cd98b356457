import { fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, renderInConsole } from "../../components/testing";
import { BroadcastWizard } from "./BroadcastWizard";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

const ROUTES = {
  "GET /v1/segments": () => [200, { items: [{ segment_id: "seg1", name: "VIP", count: 3, kind: "static", status: "ready", created_at: "", created_by: "", updated_at: "", description: "" }] }] as [number, unknown],
  "GET /v1/templates": () => [200, { items: [], next_cursor: null }] as [number, unknown],
};

const TEMPLATE = { template_id: "tpl1", name: "会员日", channel: "wecom_customer", content: { text: "hi" }, created_at: "", created_by: "", updated_at: "", variables: [], version: 1 };

afterEach(() => vi.unstubAllGlobals());

describe("the broadcast wizard", () => {
  it("previews the pasted contacts with readable skip reasons and each staff member's share by name", async () => {
    const api = fakeApi({
      ...ROUTES,
      "GET /v1/templates": () => [200, { items: [TEMPLATE], next_cursor: null }],
      "POST /v1/broadcasts/preview": () => [200, { targeted: 3, reachable: 1, skipped: { no_consent: 1, cap_reached: 1 }, by_staff: [{ staff_id: "g1", staff_name: "导购一", recipients: 1 }, { staff_id: "g2", staff_name: null, recipients: 0 }], scheduled_for: "2030-05-01T01:00:00Z" }],
    });
    renderInConsole(<BroadcastWizard open onClose={() => undefined} onSaved={() => undefined} />);
    // No template chosen: the wizard stays on its first step and asks no preview.
    fireEvent.click((await screen.findAllByText("Next", {}, { timeout: SLOW / 2 }))[0]);
    expect((await screen.findAllByText("Required", undefined, { timeout: 5000 })).length).toBeGreaterThan(0);
    fireEvent.click(screen.getByText("By contact ids"));
    fireEvent.change(await screen.findByLabelText("Contact ids"), { target: { value: "c1, c2\nc3" } });
    fireEvent.mouseDown(screen.getByLabelText("Template"));
    fireEvent.click(await screen.findByText("会员日"));
    expect(api.requests.some((request) => request.path === "/v1/broadcasts/preview")).toBe(false);
    fireEvent.click(screen.getAllByText("Next")[0]);
    const preview = await screen.findByTestId("broadcast-preview");
    expect(preview).toHaveTextContent("No marketing consent");
    expect(preview).toHaveTextContent("Cap reached");
    expect(preview).toHaveTextContent("导购一"); // by name; by id when outreach does not know it
    expect(preview).not.toHaveTextContent("g1");
    expect(preview).toHaveTextContent("g2");
    const asked = api.requests.find((request) => request.path === "/v1/broadcasts/preview");
    expect(asked?.body).toEqual({ channel: "wecom_customer", template_id: "tpl1", contact_ids: ["c1", "c2", "c3"] });
  }, SLOW);

  it("puts the preview's 422 on the field it names", async () => {
    fakeApi({
      ...ROUTES,
      "GET /v1/templates": () => [200, { items: [TEMPLATE], next_cursor: null }],
      "POST /v1/broadcasts/preview": () => [422, { type: "about:blank", title: "Unprocessable", status: 422, errors: [{ loc: ["body", "segment_id"], msg: "The segment is unknown or has no members.", type: "value_error" }] }],
    });
    renderInConsole(<BroadcastWizard open onClose={() => undefined} onSaved={() => undefined} />);
    const segment = await screen.findByLabelText("Segment", {}, { timeout: SLOW / 2 });
    fireEvent.mouseDown(segment);
    fireEvent.click(await screen.findByText("VIP (3)"));
    fireEvent.mouseDown(screen.getByLabelText("Template"));
    fireEvent.click(await screen.findByText("会员日"));
    fireEvent.click(screen.getAllByText("Next")[0]);
    expect(await screen.findByText("The segment is unknown or has no members.")).toBeInTheDocument();
  }, SLOW);
});
