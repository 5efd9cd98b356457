import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, renderInConsole } from "../../components/testing";
import { MergeCandidateList } from "./MergeCandidates";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

afterEach(() => vi.unstubAllGlobals());

function contact(id: string, name: string, phone: string, unionid: string) {
  return {
    contact_id: id,
    name,
    gender: null,
    city: null,
    birthday: null,
    attributes: {},
    consent: {},
    identities: { phone, email: null, unionid, external_userid: null, openids: {} },
    tags: ["VIP"],
    owners: {},
    lifecycle_stage: "new",
    source: null,
    created_at: "2026-03-01T08:00:00Z",
    updated_at: "2026-03-01T08:00:00Z",
    version: 1,
    merged_from: [],
  };
}

const pair = { candidate_id: "mc_1", contact_ids: ["ct_old", "ct_new"], evidence: "phone", conflicts: ["unionid"], found_at: "2026-03-02T08:00:00Z" };
const profiles: Record<string, ReturnType<typeof contact>> = {
  ct_old: contact("ct_old", "Lin Old", "+8613900000011", "u-1"),
  ct_new: contact("ct_new", "Lin New", "+8613900000011", "u-2"),
};

function routes(merge: () => [number, unknown]) {
  return fakeApi({
    "GET /v1/contacts/merge-candidates": () => [200, { items: [pair], next_cursor: null }],
    "GET /v1/contacts/{contact_id}": (request) => [200, profiles[request.path.split("/").pop() ?? ""]],
    "POST /v1/contacts/{contact_id}/merge": merge,
  });
}

describe("merge candidates", () => {
  it("show both profiles side by side; a merge asks why, then the pair leaves and links to the kept contact", async () => {
    const api = routes(() => [200, { ...profiles["ct_old"], merged_from: ["ct_new"] }]);
    renderInConsole(<MergeCandidateList />, { roles: ["manager"] });
    const heading = await screen.findByRole("heading", { name: "Share Phone; conflict: unionid" }, { timeout: SLOW / 2 });
    const section = heading.closest("section") as HTMLElement;
    expect(await within(section).findByText("Lin Old")).toBeInTheDocument();
    expect(await within(section).findByText("Lin New")).toBeInTheDocument();
    expect(within(section).getByText("u-2")).toBeInTheDocument();

    await userEvent.click(within(section).getByRole("button", { name: / Merge$/ }));
    const dialog = await screen.findByRole("dialog");
    await userEvent.click(within(dialog).getByRole("button", { name: "Merge for good" }));
    expect(await within(dialog).findByText("Give a reason for merging")).toBeInTheDocument();
    expect(api.requests.filter((request) => request.method === "POST")).toEqual([]);

    await userEvent.type(within(dialog).getByLabelText("Reason for merging"), "same person, checked by phone");
    await userEvent.click(within(dialog).getByRole("button", { name: "Merge for good" }));
    const link = await screen.findByRole("link", { name: "Merged: open the kept contact Lin Old" });
    expect(link).toHaveAttribute("href", "/contacts/ct_old");
    expect(screen.queryByRole("heading", { name: "Share Phone; conflict: unionid" })).not.toBeInTheDocument();
    expect(screen.getByText("No possible duplicates")).toBeInTheDocument();
    const [post] = api.requests.filter((request) => request.method === "POST");
    expect([post?.path, post?.body]).toEqual(["/v1/contacts/ct_old/merge", { from_contact_id: "ct_new", reason: "same person, checked by phone" }]);
  }, SLOW);

  it("show why a merge was refused (erased or changed meanwhile), and hide the merge from a role that may not", async () => {
    routes(() => [409, { type: "about:blank", title: "Conflict", status: 409, detail: "The contact was erased", reason: "erased" }]);
    const { unmount } = renderInConsole(<MergeCandidateList />, { roles: ["manager"] });
    await userEvent.click(await screen.findByRole("button", { name: / Merge$/ }, { timeout: SLOW / 2 }));
    const dialog = await screen.findByRole("dialog");
    await userEvent.type(within(dialog).getByLabelText("Reason for merging"), "dup");
    await userEvent.click(within(dialog).getByRole("button", { name: "Merge for good" }));
    expect(await within(dialog).findByText("Cannot merge: The contact was erased")).toBeInTheDocument();
    unmount();

    renderInConsole(<MergeCandidateList />, { roles: ["agent"] });
    expect(await screen.findByText("Lin Old")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: / Merge$/ })).not.toBeInTheDocument();
  }, SLOW);
});
