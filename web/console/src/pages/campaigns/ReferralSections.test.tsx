// A referral program's invitations: every status by default, one from the URL's filter (the fraud
// review queue links to `?invitations=rejected`), each rejected or clawed-back one with its reason
// in words; the leaderboard ranks the inviters with the stage each reached.
import { fireEvent, screen, waitFor } from "@testing-library/react";
import { fakeApi, renderInConsole } from "../../components/testing";
import { InvitationsSection, LeaderboardSection } from "./ReferralSections";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

const invitation = (invitee: string, status: string, reason: string | null = null) => ({
  invitee_id: invitee,
  inviter_id: "ct_inviter",
  status,
  reason,
  invited_at: "2026-03-01T08:00:00Z",
  qualified_at: status === "qualified" ? "2026-03-02T08:00:00Z" : null,
  counted: status === "qualified" ? true : null,
});

// By text, not by role: computing roles and names over antd's styles is slow in jsdom.
const rowOf = (text: string) => [...((screen.getByText(text).closest("tr") as HTMLElement).querySelectorAll("td"))].map((cell) => cell.textContent);

afterEach(() => vi.unstubAllGlobals());

describe("InvitationsSection", () => {
  it("shows each invitation's status and, for a rejected or clawed-back one, the reason in words", async () => {
    const api = fakeApi({
      "GET /v1/campaigns/{campaign_id}/invitations": (request) => [
        200,
        request.query.get("status") === "rejected"
          ? { items: [], next_cursor: null }
          : {
              items: [invitation("ct_new", "pending"), invitation("ct_ok", "qualified"), invitation("ct_inviter", "rejected", "self_invite"), invitation("ct_gone", "clawed_back", "deleted_staff")],
              next_cursor: null,
            },
      ],
    });
    renderInConsole(<InvitationsSection campaignId="cmp_1" />, { roles: ["manager"], url: "/campaigns/cmp_1", path: "/campaigns/:campaignId" });
    expect(await screen.findByText("ct_new", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(rowOf("ct_new").slice(2, 4)).toEqual(["Pending", "—"]);
    expect(rowOf("ct_ok").slice(2)).toEqual(["Qualified", "Counted towards the stages", expect.stringMatching(/^2026-03-01 /), expect.stringMatching(/^2026-03-02 /)]);
    expect(rowOf("Invited themselves")[2]).toBe("Rejected");
    expect(rowOf("ct_gone").slice(2, 4)).toEqual(["Clawed back", "Deleted their guide within the claw-back window"]);
    expect(api.requests[0].query.get("status")).toBeNull();
    expect(screen.getByText("ct_new").closest("a")).toHaveAttribute("href", "/contacts/ct_new");

    fireEvent.click(screen.getByText("Rejected", { selector: ".ant-segmented-item-label" }));
    expect(await screen.findByText("No rejected invitations")).toBeInTheDocument();
    expect(api.requests.at(-1)?.query.get("status")).toBe("rejected");
  }, SLOW);

  it("starts from the filter in the URL", async () => {
    const api = fakeApi({ "GET /v1/campaigns/{campaign_id}/invitations": () => [200, { items: [], next_cursor: null }] });
    renderInConsole(<InvitationsSection campaignId="cmp_1" />, { roles: ["manager"], url: "/campaigns/cmp_1?invitations=clawed_back", path: "/campaigns/:campaignId" });
    expect(await screen.findByText("No clawed-back invitations", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(api.requests[0].query.get("status")).toBe("clawed_back");
  }, SLOW);
});

describe("LeaderboardSection", () => {
  it("ranks the inviters with their qualified invitees, the stage reached and the points paid", async () => {
    fakeApi({
      "GET /v1/campaigns/{campaign_id}/leaderboard": () => [
        200,
        {
          items: [
            { inviter_id: "ct_top", qualified: 3, points: 400 },
            { inviter_id: "ct_two", qualified: 0, points: 0 },
          ],
          next_cursor: null,
        },
      ],
    });
    const rules = { stages: [{ invitees: 1, points: 100 }, { invitees: 3, points: 300 }], welcome_points: 0, qualifying_action: "phone_bound" as const, per_inviter_cap: null, clawback_days: 7, share_visitor_points: 0, share_visitors_per_day: 10 };
    renderInConsole(<LeaderboardSection campaignId="cmp_1" rules={rules} />, { roles: ["manager"] });
    expect(await screen.findByText("ct_top", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(rowOf("ct_top")).toEqual(["1", "ct_top", "3", "Stage 2", "400"]);
    await waitFor(() => expect(rowOf("ct_two")).toEqual(["2", "ct_two", "0", "—", "0"]));
  }, SLOW);
});
