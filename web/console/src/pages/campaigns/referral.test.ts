// @vitest-environment node
import { effectiveCap, invitationFilter, rankOf, stageReached, statusQuery } from "./referral";

const rules = {
  stages: [
    { invitees: 1, points: 100 },
    { invitees: 3, points: 300 },
  ],
  welcome_points: 20,
  qualifying_action: "phone_bound" as const,
  per_inviter_cap: null,
  clawback_days: 7,
  share_visitor_points: 0,
  share_visitors_per_day: 10,
};

describe("the invitations' filter", () => {
  it("reads a known status from the URL, anything else as all of them", () => {
    expect(invitationFilter("rejected")).toBe("rejected");
    expect(invitationFilter("clawed_back")).toBe("clawed_back");
    expect(invitationFilter("lost")).toBe("all");
    expect(invitationFilter(null)).toBe("all");
  });

  it("asks the API for one status, or for every status with none", () => {
    expect(statusQuery("pending")).toBe("pending");
    expect(statusQuery("all")).toBeUndefined();
  });
});

describe("a program's rules", () => {
  it("caps an inviter at the program's cap, or at the last stage's invitees", () => {
    expect(effectiveCap(rules)).toBe(3);
    expect(effectiveCap({ ...rules, per_inviter_cap: 10 })).toBe(10);
  });

  it("tells the stage an inviter has reached", () => {
    expect([0, 1, 2, 3, 9].map((qualified) => stageReached(rules, qualified))).toEqual([0, 1, 1, 2, 2]);
  });
});

describe("rankOf", () => {
  it("counts the rows of the pages before", () => {
    expect(rankOf(1, 20, 0)).toBe(1);
    expect(rankOf(3, 20, 4)).toBe(45);
  });
});
