import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, renderInConsole } from "../../components/testing";
import { ContactExport } from "./ContactExport";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

afterEach(() => vi.unstubAllGlobals());

describe("a contact's personal-data export", () => {
  it("is started only after the confirmation, and an erased contact's 409 shows in words", async () => {
    const api = fakeApi({
      "POST /v1/contacts/{contact_id}/export": () => [409, { type: "about:blank", title: "Conflict", status: 409, detail: "The contact was erased", reason: "contact_erased" }],
    });
    renderInConsole(<ContactExport contactId="ct_1" />);
    await userEvent.click(await screen.findByRole("button", { name: /Export personal data/ }, { timeout: SLOW / 2 }));
    expect(api.requests).toEqual([]);
    await userEvent.click(await screen.findByRole("button", { name: "Start export" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This contact's data was erased; there is nothing to export.");
    expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["POST /v1/contacts/ct_1/export"]);
  }, SLOW);
});
