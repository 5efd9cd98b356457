import { fireEvent, screen, waitFor } from "@testing-library/react";
import dayjs from "dayjs";
import { ApiError } from "@shared/api/client";
import { formItem, renderInConsole } from "../../components/testing";
import { CampaignForm } from "./CampaignForm";
import { createBody, newCampaignValues, type CampaignValues } from "./campaignForm";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

function renderForm(onSubmit: (values: CampaignValues) => Promise<unknown>, initial: Partial<CampaignValues> = {}, kindLocked = false) {
  renderInConsole(
    <CampaignForm initial={{ ...newCampaignValues(dayjs("2026-03-01T08:00:00Z")), name: "Spring", ...initial }} onSubmit={onSubmit} submitText="Create" kindLocked={kindLocked} />,
    { roles: ["manager"] },
  );
}

const submit = () => fireEvent.submit(screen.getByLabelText("Name").closest("form")!);

describe("CampaignForm", () => {
  it("puts a 422's errors on the fields they name and the rest above the form", async () => {
    const onSubmit = vi.fn((_values: CampaignValues): Promise<unknown> =>
      Promise.reject(
        new ApiError({
          type: "https://siyu.dev/problems/invalid",
          title: "Invalid",
          status: 422,
          detail: "3 invalid values",
          errors: [
            { loc: ["body", "name"], msg: "String should have at most 100 characters" },
            { loc: ["body", "points_budget"], msg: "Input should be less than or equal to 1000000000" },
            { loc: ["body"], msg: "Value error, ends_at must be after starts_at" },
          ],
        }),
      ),
    );
    renderForm(onSubmit);
    fireEvent.submit(screen.getByLabelText("Name").closest("form")!);
    await waitFor(() => expect(screen.getByText("String should have at most 100 characters")).toBeInTheDocument());
    expect(formItem("Name")).toHaveTextContent("String should have at most 100 characters");
    expect(formItem("Points budget")).toHaveTextContent("Input should be less than or equal to 1000000000");
    expect(formItem("Brand")).not.toHaveTextContent("Input should");
    expect(screen.getByRole("alert")).toHaveTextContent("Value error, ends_at must be after starts_at");
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(createBody(onSubmit.mock.calls[0]![0])).toMatchObject({ name: "Spring", points_budget: 100_000 });
  }, SLOW);

  it("shows a 409's detail above the form", async () => {
    renderForm(() => Promise.reject(new ApiError({ type: "x", title: "Conflict", status: 409, detail: "The campaign has ended.", reason: "ended" })));
    fireEvent.submit(screen.getByLabelText("Name").closest("form")!);
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("The campaign has ended."));
  }, SLOW);

  it("does not send a campaign without a name", async () => {
    const onSubmit = vi.fn((_values: CampaignValues): Promise<unknown> => Promise.resolve());
    renderForm(onSubmit);
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "  " } });
    fireEvent.submit(screen.getByLabelText("Name").closest("form")!);
    await waitFor(() => expect(formItem("Name")).toHaveTextContent("Required"));
    expect(onSubmit).not.toHaveBeenCalled();
  }, SLOW);

  it("offers a referral program's rules once the kind is chosen, and sends them", async () => {
    const onSubmit = vi.fn((_values: CampaignValues): Promise<unknown> => Promise.resolve());
    renderForm(onSubmit);
    expect(screen.queryByLabelText("Stage 1 invitees")).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole("radio", { name: "Referral (invite friends)" }));
    expect(await screen.findByLabelText("Stage 1 invitees")).toHaveValue("3");
    fireEvent.click(screen.getByRole("button", { name: /Add a stage/ }));
    fireEvent.change(await screen.findByLabelText("Stage 2 invitees"), { target: { value: "8" } });
    fireEvent.change(screen.getByLabelText("Stage 2 points"), { target: { value: "500" } });
    expect(screen.getByRole("group", { name: "Stage rewards" })).toBeInTheDocument();
    submit();
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(createBody(onSubmit.mock.calls[0]![0]).referral).toEqual({
      stages: [
        { invitees: 3, points: 100 },
        { invitees: 8, points: 500 },
      ],
      welcome_points: 20,
      qualifying_action: "phone_bound",
      per_inviter_cap: null,
      clawback_days: 7,
      share_visitor_points: 0,
      share_visitors_per_day: 10,
    });
  }, SLOW);

  it("shows the rules' 422 under the stages, a stage's on its field, and checks the budget covers each reward", async () => {
    const onSubmit = vi.fn((_values: CampaignValues): Promise<unknown> =>
      Promise.reject(
        new ApiError({
          type: "about:blank",
          title: "Unprocessable",
          status: 422,
          detail: "2 invalid values",
          errors: [
            { loc: ["body", "referral"], msg: "Value error, stage 2 must need more invitees than stage 1" },
            { loc: ["body", "referral", "stages", "1", "points"], msg: "Input should be less than or equal to 1000000" },
          ],
        }),
      ),
    );
    const rules = { ...newCampaignValues().referral, stages: [{ invitees: 2, points: 100 }, { invitees: 2, points: 200 }] };
    renderForm(onSubmit, { kind: "referral", referral: rules }, true);
    expect(screen.getByRole("radio", { name: "Referral (invite friends)" })).toBeDisabled();
    submit();
    await waitFor(() => expect(screen.getByText("Value error, stage 2 must need more invitees than stage 1")).toBeInTheDocument());
    expect(screen.getByRole("group", { name: "Stage rewards" })).toHaveTextContent("Value error, stage 2 must need more invitees than stage 1");
    expect(formItem("Stage 2 points")).toHaveTextContent("Input should be less than or equal to 1000000");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();

    fireEvent.change(screen.getByLabelText("Points budget"), { target: { value: "150" } });
    submit();
    await waitFor(() => expect(formItem("Points budget")).toHaveTextContent("The budget must cover the largest single reward (200 points)"));
    expect(onSubmit).toHaveBeenCalledTimes(1);
  }, SLOW);
});
