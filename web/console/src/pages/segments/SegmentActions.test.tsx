import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "@shared/api/client";
import { fakeApi, formItem, renderInConsole } from "../../components/testing";
import { SegmentActions } from "./SegmentActions";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

afterEach(() => vi.unstubAllGlobals());

const segment = { segment_id: "sg_1", name: "VIP", count: 7, kind: "dynamic", status: "ready" } as Schemas["SegmentView"];

describe("a segment's bulk tagging", () => {
  it("asks with the member count, then a 422 on the tag lands on the tag field", async () => {
    const api = fakeApi({
      "POST /v1/contacts/bulk-tags": () => [
        422,
        { type: "about:blank", title: "Unprocessable", status: 422, errors: [{ loc: ["body", "tag"], msg: "unknown tag in a single-choice group", type: "value_error" }] },
      ],
    });
    renderInConsole(<SegmentActions segment={segment} />);
    await userEvent.click(await screen.findByRole("button", { name: /Bulk tag/ }, { timeout: SLOW / 2 }));
    await userEvent.type(screen.getByLabelText("Tag"), "Gold");
    await userEvent.click(screen.getByLabelText("Remove the tag"));
    await userEvent.click(screen.getByRole("button", { name: "Run" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent("Remove the tag “Gold” from 7 members?");
    expect(api.requests).toEqual([]);
    await userEvent.click(within(dialog).getByRole("button", { name: "Run it" }));
    expect(await within(formItem("Tag")).findByText("unknown tag in a single-choice group")).toBeInTheDocument();
    expect(api.requests.map((request) => request.body)).toEqual([{ tag: "Gold", action: "remove", segment_id: "sg_1" }]);
  }, SLOW);

  it("is not offered to a guide, nor the export", async () => {
    fakeApi({});
    renderInConsole(<SegmentActions segment={segment} />, { roles: ["guide"] });
    expect(screen.queryAllByRole("button")).toEqual([]);
  });
});
