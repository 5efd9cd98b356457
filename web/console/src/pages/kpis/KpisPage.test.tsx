// The KPI page asks for the period in the URL, offers departments only to those who may read them,
// shows every measure (staff tasks too) in a table whose sideways scroller the keyboard reaches, and
// shows the API's error.
import { screen, within } from "@testing-library/react";
import { fakeApi, renderInConsole } from "../../components/testing";
import KpisPage from "./KpisPage";
import { SCROLLER } from "../../components/KeyboardScroll";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

const ROW = {
  staff_id: "g1",
  department_id: null,
  name: "导购一",
  customers: 3,
  customers_at_start: 2,
  adds: 2,
  net_adds: 1,
  deletions_by_customer: 1,
  deletions_by_staff: 0,
  churn_rate: 0.25,
  code_scans: 0,
  code_adds: 0,
  lead_conversion: null,
  cases_resolved: 0,
  first_responses: 0,
  first_response_median_minutes: null,
  ratings: 0,
  csat_average: null,
  orders: 2,
  gmv_fen: 123456,
  tasks_done: 7,
  tasks_overdue: 4,
};

afterEach(() => vi.unstubAllGlobals());

describe("KpisPage", () => {
  it("reads the period and date from the URL; a guide gets no department switch", async () => {
    const api = fakeApi({ "GET /v1/wecom/kpis": () => [200, { group_by: "staff", period: "week", start: "2026-03-02", end: "2026-03-08", zone: "Asia/Shanghai", rows: [] }] });
    renderInConsole(<KpisPage />, { roles: ["guide"], url: "/kpis?period=week&date=2026-03-04&group_by=department", path: "/kpis" });
    expect(await screen.findByText("No KPIs for this period yet", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    const query = api.requests[0].query;
    expect([query.get("group_by"), query.get("period"), query.get("date")]).toEqual(["staff", "week", "2026-03-04"]);
    expect(screen.queryByRole("radio", { name: "By department" })).not.toBeInTheDocument();
    expect(screen.getByText("2026-03-02 to 2026-03-08 (Asia/Shanghai)")).toBeInTheDocument();
  }, SLOW);

  it("shows each staff member's task counts, in a table the keyboard can scroll", async () => {
    fakeApi({ "GET /v1/wecom/kpis": () => [200, { group_by: "staff", period: "day", start: "2026-03-04", end: "2026-03-04", zone: "Asia/Shanghai", rows: [ROW] }] });
    const { container } = renderInConsole(<KpisPage />, { roles: ["manager"], url: "/kpis?period=day&date=2026-03-04", path: "/kpis" });
    const row = (await screen.findByText("导购一", {}, { timeout: SLOW / 2 })).closest("tr") as HTMLElement;
    const headers = screen.getAllByRole("columnheader").map((header) => header.textContent);
    expect(headers.slice(-2)).toEqual(["Tasks done", "Tasks overdue"]);
    expect(within(row).getAllByRole("cell").slice(-2).map((cell) => cell.textContent)).toEqual(["7", "4"]);
    const scroller = container.querySelector<HTMLElement>(SCROLLER);
    expect(scroller?.tabIndex).toBe(0);
    expect(scroller).toHaveAttribute("aria-label", "KPI details table (scrolls sideways)");
  }, SLOW);

  it("shows the API's refusal", async () => {
    fakeApi({ "GET /v1/wecom/kpis": () => [422, { type: "about:blank", title: "Unprocessable", status: 422, detail: "The period has not begun." }] });
    renderInConsole(<KpisPage />, { roles: ["manager"], url: "/kpis", path: "/kpis" });
    expect(await screen.findByText("The period has not begun.")).toBeInTheDocument();
  });
});
