// The KPI page asks for the period in the URL, offers departments only to those who may read them,
// and shows the API's error.
import { screen } from "@testing-library/react";
import { fakeApi, renderInConsole } from "../../components/testing";
import KpisPage from "./KpisPage";

afterEach(() => vi.unstubAllGlobals());

describe("KpisPage", () => {
  it("reads the period and date from the URL; a guide gets no department switch", async () => {
    const api = fakeApi({ "GET /v1/wecom/kpis": () => [200, { group_by: "staff", period: "week", start: "2026-03-02", end: "2026-03-08", zone: "Asia/Shanghai", rows: [] }] });
    renderInConsole(<KpisPage />, { roles: ["guide"], url: "/kpis?period=week&date=2026-03-04&group_by=department", path: "/kpis" });
    expect(await screen.findByText("No KPIs for this period yet")).toBeInTheDocument();
    const query = api.requests[0].query;
    expect([query.get("group_by"), query.get("period"), query.get("date")]).toEqual(["staff", "week", "2026-03-04"]);
    expect(screen.queryByRole("radio", { name: "By department" })).not.toBeInTheDocument();
    expect(screen.getByText("2026-03-02 to 2026-03-08 (Asia/Shanghai)")).toBeInTheDocument();
  });

  it("shows the API's refusal", async () => {
    fakeApi({ "GET /v1/wecom/kpis": () => [422, { type: "about:blank", title: "Unprocessable", status: 422, detail: "The period has not begun." }] });
    renderInConsole(<KpisPage />, { roles: ["manager"], url: "/kpis", path: "/kpis" });
    expect(await screen.findByText("The period has not begun.")).toBeInTheDocument();
  });
});
