import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import CasesPage from "./CasesPage";
import { casesQuery, filtersFromSearch, filtersToSearch, keepItem } from "./filters";
import { fakeApi, renderInConsole, type FakeRoutes } from "../../components/testing";
import { AGENT, aCase } from "./fixtures";

describe("the inbox's filters ↔ URL ↔ GET /v1/cases query", () => {
  it("maps 'me' to the signed-in staff id, a staff id to itself, and the rest one to one", () => {
    const params = new URLSearchParams("queue=complaints&assignee=me&status=in_progress&priority=urgent&breached=true");
    const filters = filtersFromSearch(params);
    expect(casesQuery(filters, "agent-7")).toEqual({ queue_id: "complaints", assignee: "agent-7", status: "in_progress", priority: "urgent", breached: true });
    expect(filtersToSearch(filters).toString()).toBe(params.toString());
    expect(casesQuery(filtersFromSearch(new URLSearchParams("assignee=bob")), "agent-7")).toEqual({ assignee: "bob" });
  });

  it("sends no assignee for 'unassigned' and keeps only the page's unassigned cases", () => {
    const filters = filtersFromSearch(new URLSearchParams("assignee=unassigned"));
    expect(casesQuery(filters, "agent-7")).toEqual({});
    expect(keepItem(filters, aCase({ assignee: null }))).toBe(true);
    expect(keepItem(filters, aCase({ assignee: "bob" }))).toBe(false);
    expect(keepItem({}, aCase({ assignee: "bob" }))).toBe(true);
  });

  it("ignores values the API would refuse", () => {
    expect(filtersFromSearch(new URLSearchParams("status=open&priority=asap&breached=1"))).toEqual({});
  });
});

describe("the inbox page", { timeout: 20_000 }, () => {
  afterEach(() => vi.unstubAllGlobals());

  const routes: FakeRoutes = {
    "GET /v1/cases": () => [200, { items: [aCase({ subject: "Cup leaks" }), aCase({ case_id: "case_2", subject: "Late parcel", assignee: "bob", status: "assigned" })], next_cursor: null }],
    "GET /v1/queues": () => [200, { items: [{ queue_id: "complaints", name: "Complaints", policy: "round_robin", rank: 10, rules: [], is_default: true, version: 1 }] }],
    "GET /v1/agents": () => [200, { items: [{ staff_id: "agent-1", queues: ["complaints"], availability: "away", capacity: 5, open_cases: 1, manager_id: null, last_assigned_at: null }] }],
  };

  it("asks the API for the URL's filters and shows each case with its SLA", async () => {
    const api = fakeApi(routes);
    renderInConsole(<CasesPage />, { ...AGENT, url: "/cases?assignee=me&status=new" });
    expect(await screen.findByRole("link", { name: "Cup leaks" })).toHaveAttribute("href", "/cases/case_1");
    const listing = api.requests.find((request) => request.path === "/v1/cases");
    expect(Object.fromEntries(listing!.query)).toEqual({ assignee: "agent-1", status: "new" });
    const row = screen.getByRole("link", { name: "Cup leaks" }).closest("tr")!;
    expect(within(row).getByText(/First response: /)).toBeVisible();
    expect(within(row).getByRole("button", { name: "Take: Cup leaks" })).toBeVisible();
    expect(screen.getByRole("radio", { name: "Away" })).toBeChecked();
  });

  it("turns a filter change into a new request", async () => {
    const api = fakeApi(routes);
    renderInConsole(<CasesPage />, { ...AGENT, url: "/cases" });
    await screen.findByRole("link", { name: "Cup leaks" });
    fireEvent.mouseDown(screen.getByRole("combobox", { name: "Priority" }));
    fireEvent.click(await screen.findByTitle("Urgent"));
    await waitFor(() => expect(api.requests.some((request) => request.path === "/v1/cases" && request.query.get("priority") === "urgent")).toBe(true));
  });

  it("filters 'unassigned' on the page", async () => {
    fakeApi(routes);
    renderInConsole(<CasesPage />, { ...AGENT, url: "/cases?assignee=unassigned" });
    await screen.findByRole("link", { name: "Cup leaks" });
    expect(screen.queryByRole("link", { name: "Late parcel" })).toBeNull();
  });

  it("tells someone who is not an agent why there is no availability switch", async () => {
    fakeApi({ ...routes, "GET /v1/agents": () => [200, { items: [] }] });
    renderInConsole(<CasesPage />, { ...AGENT, url: "/cases", staffId: "newcomer" });
    expect(await screen.findByText(/not set up as an agent/)).toBeVisible();
  });
});
