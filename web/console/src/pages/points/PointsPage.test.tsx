import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "@shared/api/client";
import { allowed } from "../../app";
import type { Role } from "../../auth/session";
import { fakeApi, renderInConsole } from "../../components/testing";
import { mayOpen, PAGES } from "../../routes";
import PointsPage from "./PointsPage";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

const REDEMPTION: Schemas["RedemptionView"] = {
  redemption_id: "rdm_1",
  contact_id: "ct_1",
  reward_id: "rw_1",
  reward_name: "Mug",
  points: 300,
  status: "requested",
  created_at: "2026-03-01T10:00:00Z",
  updated_at: "2026-03-01T10:00:00Z",
};

const points = PAGES.find((page) => page.key === "points")!;
const opens = (roles: Role[]) => mayOpen(points, (operation) => allowed(operation, roles));

afterEach(() => vi.unstubAllGlobals());

describe("the points page", () => {
  it("opens for the roles that may use any of its tabs: managers and admins, and agents for the redemptions", () => {
    expect(opens(["admin"])).toBe(true);
    expect(opens(["manager"])).toBe(true);
    expect(opens(["agent"])).toBe(true);
    expect(opens(["guide"])).toBe(false);
    // A page without `anyOf` is gated by `requires` alone.
    const settings = PAGES.find((page) => page.key === "settings")!;
    expect(mayOpen(settings, (operation) => allowed(operation, ["agent"]))).toBe(false);
  });

  it("shows an agent only the redemptions and the statement, with the redemptions to fulfil", async () => {
    const api = fakeApi({ "GET /v1/redemptions": () => [200, { items: [REDEMPTION], next_cursor: null }] });
    renderInConsole(<PointsPage />, { roles: ["agent"], url: "/points" });
    // By label, not by role: role queries over antd's table are slow in jsdom.
    expect(await screen.findByLabelText("Fulfil Mug", {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(screen.getAllByRole("tab").map((tab) => tab.textContent)).toEqual(["Redemptions", "Member statement"]);
    expect(screen.getByLabelText("Cancel redemption Mug")).toBeInTheDocument();
    expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["GET /v1/redemptions"]);
  }, SLOW);

  it("shows a manager every tab", async () => {
    fakeApi({ "GET /v1/points/policy": () => [500, { type: "about:blank", title: "Not now", status: 500 }] });
    renderInConsole(<PointsPage />, { roles: ["manager"], url: "/points" });
    expect(screen.getAllByRole("tab").map((tab) => tab.textContent)).toEqual(["Policy", "Rewards catalog", "Redemptions", "Adjustments", "Member statement"]);
  }, SLOW);
});
