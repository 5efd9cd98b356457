// The KOC page lists the KOCs, shows a chosen contact's network (its figures and its invitations as a
// table beside the graph) at the depth in the URL, and lets admins — only admins — change the rule.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { fakeApi, formItem, renderInConsole } from "../../components/testing";
import KocPage from "./KocPage";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

const RULE = { direct_weight: 3, downstream_weight: 1, gmv_weight: 0.01, min_downstream: 2, window_days: 90, min_score: null };
const KOC = { contact_id: "ct_A", inviter_id: null, direct: 1, downstream: 2, gmv_fen: 123456, score: 17.345, koc: true, koc_at: "2026-03-01T08:00:00Z" };
const NETWORK = {
  root: KOC,
  nodes: [
    { contact_id: "ct_A", depth: 0 },
    { contact_id: "ct_B", depth: 1 },
    { contact_id: "ct_C", depth: 2 },
  ],
  edges: [
    { inviter_id: "ct_A", invitee_id: "ct_B", campaign_id: "cmp_1", joined_at: "2026-03-01T08:00:00Z" },
    { inviter_id: "ct_B", invitee_id: "ct_C", campaign_id: "cmp_1", joined_at: "2026-03-02T08:00:00Z" },
  ],
  truncated: false,
};

beforeAll(() => {
  Element.prototype.scrollIntoView = () => undefined; // jsdom has none; the page scrolls to the network
});
afterEach(() => vi.unstubAllGlobals());

const cells = (row: HTMLElement) => [...row.querySelectorAll("td")].map((cell) => cell.textContent);

describe("KocPage", () => {
  it("lists the KOCs and shows one's network at the chosen depth; a manager reads the rule", async () => {
    const api = fakeApi({
      "GET /v1/koc": () => [200, { items: [KOC], next_cursor: null }],
      "GET /v1/koc/rule": () => [200, RULE],
      "GET /v1/contacts/{contact_id}/network": () => [200, NETWORK],
      "GET /v1/campaigns/{campaign_id}": () => [200, { campaign_id: "cmp_1", name: "老带新" }],
    });
    renderInConsole(<KocPage />, { roles: ["manager"], url: "/koc", path: "/koc" });
    // By text and label, not by role: computing roles and names over antd's styles is slow in jsdom.
    const row = (await screen.findByText("ct_A", {}, { timeout: SLOW / 2 })).closest("tr") as HTMLElement;
    expect(cells(row)).toEqual(["ct_A", "17.35", "1", "2", "¥1,234.56", expect.stringMatching(/^2026-03-01 /), "Network"]);
    expect(await screen.findByText("Only admins change the rule.")).toBeInTheDocument();
    expect(screen.getByLabelText("Downstream threshold")).toBeDisabled();
    expect(screen.queryByRole("button", { name: "Save" })).not.toBeInTheDocument();
    expect(screen.getByText("Pick a contact to see whom their invitations brought")).toBeInTheDocument();

    fireEvent.click(within(row).getByLabelText("Show the network of ct_A"));
    const network = screen.getByText("Influence network").closest("[role=region]") as HTMLElement;
    expect(await within(network).findByText("ct_A brought 2 contacts within 3 levels, 2 invitations.")).toBeInTheDocument();
    expect(within(network).getAllByLabelText("Invitation network of ct_A (3 levels)")[0]).toHaveAttribute("role", "img");
    const edges = [...network.querySelectorAll<HTMLElement>("tbody tr.ant-table-row")].map((tr) => cells(tr).slice(0, 3));
    expect(edges).toEqual([
      ["Level 1", "ct_A", "ct_B"],
      ["Level 2", "ct_B", "ct_C"],
    ]);
    expect(await within(network).findAllByText("老带新")).toHaveLength(2);
    const asked = () => api.requests.filter((request) => request.path === "/v1/contacts/ct_A/network").map((request) => request.query.get("depth"));
    expect(asked()).toEqual(["3"]);
    expect(api.requests.some((request) => request.path === "/v1/campaigns/cmp_1")).toBe(true); // the program's name, once

    fireEvent.click(within(network).getByText("1 levels"));
    await waitFor(() => expect(asked()).toEqual(["3", "1"]));
  }, SLOW);

  it("lets an admin save the rule, with the API's refusal on the field it names", async () => {
    const puts: unknown[] = [];
    fakeApi({
      "GET /v1/koc": () => [200, { items: [], next_cursor: null }],
      "GET /v1/koc/rule": () => [200, RULE],
      "PUT /v1/koc/rule": (request) => {
        puts.push(request.body);
        return puts.length === 1
          ? [422, { type: "about:blank", title: "Unprocessable", status: 422, detail: "1 invalid value", errors: [{ loc: ["body", "window_days"], msg: "Input should be less than or equal to 365" }] }]
          : [200, request.body];
      },
    });
    renderInConsole(<KocPage />, { roles: ["admin"], url: "/koc?contact=ct_Z", path: "/koc" });
    expect(await screen.findByText("No KOCs flagged yet", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    fireEvent.change(await screen.findByLabelText("Score threshold"), { target: { value: "50" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(formItem("Window (days)")).toHaveTextContent("Input should be less than or equal to 365"));
    expect(puts[0]).toEqual({ ...RULE, min_score: 50 });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("KOC rule saved")).toBeInTheDocument();
  }, SLOW);
});
