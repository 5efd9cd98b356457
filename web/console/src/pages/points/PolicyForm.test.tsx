import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError, type Schemas } from "@shared/api/client";
import { formItem, renderInConsole } from "../../components/testing";
import { PolicyForm, policyBody } from "./PolicyForm";

const user = userEvent.setup({ delay: null });
const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

const POLICY: Schemas["PointsPolicy"] = {
  time_zone: "Asia/Shanghai",
  expiry: { rule: "end_of_year", days: null },
  expiry_warning_days: 30,
  checkin_cycle: [5, 10],
  earning_rules: [{ source: "order", brand: null, points_per_yuan: 1, caps: { day: 500, week: null, month: null } }],
  tiers: [
    { name: "member", min_points: 0 },
    { name: "gold", min_points: 1000 },
  ],
  tier_window: "lifetime",
};

describe("the points policy form", () => {
  it("shows a 422's errors on the fields they name, a list's (and those inside it with no field) on the list, and the rest above the form", async () => {
    const save = vi.fn().mockRejectedValue(
      new ApiError({
        type: "about:blank",
        title: "Unprocessable content",
        status: 422,
        detail: "invalid",
        errors: [
          { loc: ["body", "time_zone"], msg: "not a time zone" },
          { loc: ["body", "tiers", "1", "min_points"], msg: "Input should be greater than or equal to 0" },
          { loc: ["body", "tiers"], msg: "tiers start at 0 points and rise strictly" },
          { loc: ["body", "expiry"], msg: "days is required for after_days, and only for it" },
          { loc: ["body", "earning_rules", "0", "caps"], msg: "a cap must be positive" },
        ],
      }),
    );
    renderInConsole(<PolicyForm policy={POLICY} save={save} />);
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    expect(await screen.findByText("not a time zone")).toBeInTheDocument();
    expect(formItem("Time zone")).toHaveTextContent("not a time zone");
    expect(formItem("Tier 2 minimum points")).toHaveTextContent("Input should be greater than or equal to 0");
    expect(formItem("Tier 1 minimum points")).not.toHaveTextContent("greater than");
    expect(screen.getByText("tiers start at 0 points and rise strictly")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("expiry: days is required for after_days, and only for it");
    // No control of its own: on the enclosing list of earning rules, not above the form.
    expect(screen.getByText("a cap must be positive")).toBeInTheDocument();
    expect(screen.getByRole("alert")).not.toHaveTextContent("a cap must be positive");
  }, SLOW);

  it("sends the whole policy, with expiry days only for after_days", async () => {
    const save = vi.fn(async (body: Schemas["PointsPolicy"]) => body);
    renderInConsole(<PolicyForm policy={{ ...POLICY, expiry: { rule: "end_of_year", days: 90 } }} save={save} />);
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(save).toHaveBeenCalledTimes(1));
    expect(save.mock.calls[0][0]).toEqual({
      ...POLICY,
      expiry: { rule: "end_of_year", days: null },
      earning_rules: [{ source: "order", brand: null, points_per_yuan: 1, caps: { day: 500, week: null, month: null } }],
    });
  }, SLOW);

  it("is read-only for a role that may not replace it", () => {
    renderInConsole(<PolicyForm policy={POLICY} save={vi.fn()} />, { roles: ["manager"] });
    expect(screen.queryByRole("button", { name: "Save" })).not.toBeInTheDocument();
    expect(screen.getByLabelText("Tier 2 name")).toBeDisabled();
  });
});

describe("policyBody", () => {
  it("keeps days for after_days and turns blank brands into none", () => {
    const body = policyBody({ ...POLICY, expiry: { rule: "after_days", days: 365 }, earning_rules: [{ source: "order", brand: "", caps: {} }] });
    expect(body.expiry).toEqual({ rule: "after_days", days: 365 });
    expect(body.earning_rules).toEqual([{ source: "order", brand: null, points_per_yuan: null, caps: { day: null, week: null, month: null } }]);
  });
});
