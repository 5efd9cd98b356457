import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, formItem, renderInConsole } from "../../components/testing";
import type { Template } from "./model";
import { TemplateEditor } from "./TemplateEditor";

const SLOW = 30_000; // antd in jsdom on a busy 2-core runner (the 409 flow: ~10 s, 17 s under load)

afterEach(() => vi.unstubAllGlobals());

const template: Template = {
  template_id: "tpl_1", name: "积分提醒", channel: "wecom_customer", content: { text: "您好 ", images: [], links: [], miniprograms: [] },
  variables: [], version: 1, created_by: "a1", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z",
};
const preview = { channel: "wecom_customer", content: { text: "您好 " }, values: {} };

describe("the template editor", () => {
  it("inserts a variable at the cursor, and a stale save's 409 reloads the template", async () => {
    const api = fakeApi({
      "PUT /v1/templates/{template_id}": () => [409, { type: "about:blank", title: "Conflict", status: 409, detail: "The template is at version 2; read it again." }],
      "GET /v1/templates/{template_id}": () => [200, { ...template, name: "Theirs", version: 2 }],
      "POST /v1/templates/{template_id}/preview": () => [200, preview],
    });
    renderInConsole(<TemplateEditor template={template} />);
    const text = await screen.findByLabelText("Text", {}, { timeout: SLOW / 2 });
    await userEvent.click(text);
    await userEvent.click(screen.getByRole("button", { name: "{name} Customer name" }));
    await waitFor(() => expect(text).toHaveValue("您好 {name}"));
    await userEvent.click(screen.getAllByRole("button", { name: "Save" })[0]);
    expect(await screen.findByText(/Someone else changed this template/)).toBeInTheDocument();
    expect(api.requests.find((request) => request.method === "PUT")?.body).toMatchObject({ version: 1, content: { text: "您好 {name}" } });
    await userEvent.click(screen.getByRole("button", { name: "Reload" }));
    await waitFor(() => expect(screen.getByLabelText("Name")).toHaveValue("Theirs"));
    expect(screen.queryByText(/Someone else changed this template/)).not.toBeInTheDocument();
  }, SLOW);

  it("puts an unknown variable's 422 on the keyword's row", async () => {
    fakeApi({
      "POST /v1/templates": () => [422, { type: "about:blank", title: "Unprocessable", status: 422, detail: "", errors: [{ loc: ["body", "content", "data", "thing1"], msg: "unknown variable {nick}" }] }],
    });
    renderInConsole(<TemplateEditor template={null} />);
    await userEvent.click(await screen.findByRole("combobox", { name: "Channel" }, { timeout: SLOW / 2 }));
    await userEvent.click(await screen.findByTitle("Mini-program subscribe message"));
    await userEvent.type(screen.getByLabelText("Keyword 1"), "thing1");
    await userEvent.type(screen.getByLabelText("Keyword 1 text"), "{{nick}");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("unknown variable {nick}")).toBeInTheDocument();
    expect(formItem("Keyword 1 text")).toHaveTextContent("unknown variable {nick}");
  }, SLOW);
});
