import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, renderInConsole } from "../../components/testing";
import { aCase } from "../cases/fixtures";
import { ContactCases } from "./ContactCases";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

afterEach(() => vi.unstubAllGlobals());

describe("a contact's cases", () => {
  it("are asked for by contact, a cursor page at a time, with status and priority in the inbox's words", async () => {
    const first = aCase({ case_id: "case_2", subject: "Lid cracked", status: "waiting_on_customer", priority: "urgent" });
    const older = aCase({ case_id: "case_1", subject: "Late parcel", status: "resolved", priority: "low" });
    const api = fakeApi({
      "GET /v1/cases": (request) =>
        request.query.get("cursor") === "c2" ? [200, { items: [older], next_cursor: null }] : [200, { items: [first], next_cursor: "c2" }],
    });
    renderInConsole(<ContactCases contactId="ct_9" />, { language: "zh-CN" });
    const row = (await screen.findByText("Lid cracked", {}, { timeout: SLOW / 2 })).closest("tr") as HTMLElement;
    expect(within(row).getByText("等待会员")).toBeInTheDocument();
    expect(within(row).getByText("紧急")).toBeInTheDocument();
    await userEvent.click(screen.getByText("下一页").closest("button") as HTMLElement);
    const next = (await screen.findByText("Late parcel")).closest("tr") as HTMLElement;
    expect(within(next).getByText("已解决")).toBeInTheDocument();
    expect(within(next).getByText("低")).toBeInTheDocument();
    expect(api.requests.map((request) => [request.query.get("contact_id"), request.query.get("cursor")])).toEqual([
      ["ct_9", null],
      ["ct_9", "c2"],
    ]);
  }, SLOW);

  it("say so when there are none", async () => {
    fakeApi({ "GET /v1/cases": () => [200, { items: [], next_cursor: null }] });
    renderInConsole(<ContactCases contactId="ct_9" />);
    expect(await screen.findByText("This contact has no cases yet", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
  }, SLOW);
});
