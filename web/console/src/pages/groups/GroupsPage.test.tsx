// The groups list: a guide reads their own groups (owner = themselves) and has no sync button; an
// admin has it, and an empty list says how groups arrive.
import { screen } from "@testing-library/react";
import { fakeApi, renderInConsole } from "../../components/testing";
import GroupsPage from "./GroupsPage";

afterEach(() => vi.unstubAllGlobals());

const activity = { items: [], joins: 0, leaves: 0 };
const group = { corp_id: "ww1", chat_id: "wr1", name: "会员福利群", owner: "g-1", notice: null, admins: [], status: "active", created_at: null, member_count: 3, dismissed_at: null, synced_at: null };

describe("GroupsPage", () => {
  it("shows a guide their own groups, without the admin's sync", async () => {
    const api = fakeApi({
      "GET /v1/wecom/groups": () => [200, { items: [group], next_cursor: null }],
      "GET /v1/wecom/group-activity": () => [200, activity],
    });
    renderInConsole(<GroupsPage />, { roles: ["guide"], staffId: "g-1" });
    expect(await screen.findByRole("button", { name: "View customer group 会员福利群" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Sync customer groups/ })).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Owner")).not.toBeInTheDocument();
    expect(api.requests.find((r) => r.path === "/v1/wecom/groups")?.query.get("owner")).toBe("g-1");
    expect(await screen.findByText("No member changes in the last 30 days")).toBeInTheDocument();
  });

  it("offers an admin the sync and says how an empty list fills", async () => {
    fakeApi({
      "GET /v1/wecom/groups": () => [200, { items: [], next_cursor: null }],
      "GET /v1/wecom/group-activity": () => [200, activity],
    });
    renderInConsole(<GroupsPage />, { roles: ["admin"] });
    expect(await screen.findByText("No customer groups yet. An admin can sync them from WeCom.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /Sync customer groups/ })).toBeInTheDocument();
  });
});
