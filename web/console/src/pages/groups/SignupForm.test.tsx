// Posting a 群接龙: the body the API gets (chat, title, capacity, an aware deadline), and a 422's
// errors on the fields they name.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { fakeApi, formItem, renderInConsole } from "../../components/testing";
import { SignupForm } from "./SignupForm";
import { shareLink } from "./share";

afterEach(() => vi.unstubAllGlobals());

const created = { sheet_id: "su_1", corp_id: "ww1", chat_id: "wr1", title: "周六徒步", capacity: 20, deadline: "2036-01-01T00:00:00Z", taken: 0, places_left: 20, open: true, link_path: "/m/signups/su_1", created_by: "s-test", created_at: "2026-01-01T00:00:00Z" };

describe("SignupForm", () => {
  it("posts the sheet to the group", async () => {
    const api = fakeApi({ "POST /v1/wecom/signups": () => [201, created] });
    const onCreated = vi.fn();
    renderInConsole(<SignupForm chatId="wr1" open onClose={() => undefined} onCreated={onCreated} />);
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "周六徒步" } });
    await userEvent.click(screen.getByRole("button", { name: "New sign-up sheet" }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created), { timeout: 5000 });
    const body = api.requests[0].body as Record<string, unknown>;
    expect(body).toMatchObject({ chat_id: "wr1", title: "周六徒步", capacity: 20 });
    expect(String(body.deadline)).toMatch(/Z$/);
  });

  it("puts a 422's errors on their fields", async () => {
    fakeApi({
      "POST /v1/wecom/signups": () => [
        422,
        { type: "about:blank", title: "Unprocessable", status: 422, detail: "invalid", errors: [{ loc: ["body", "capacity"], msg: "at most 1000" }] },
      ],
    });
    renderInConsole(<SignupForm chatId="wr1" open onClose={() => undefined} onCreated={() => undefined} />);
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "周六徒步" } });
    await userEvent.click(screen.getByRole("button", { name: "New sign-up sheet" }));
    expect(await within(formItem("Places")).findByText("at most 1000", {}, { timeout: 5000 })).toBeInTheDocument();
  });
});

describe("shareLink", () => {
  it("carries the tenant, so a signed-out member signs in to the right one", () => {
    expect(shareLink("/m/signups/su_1", "t 1")).toBe("/m/signups/su_1?tenant=t%201");
  });
});
