import { fireEvent, screen, waitFor } from "@testing-library/react";
import dayjs from "dayjs";
import { ApiError } from "@shared/api/client";
import { formItem, renderInConsole } from "../../components/testing";
import { CampaignForm } from "./CampaignForm";
import { createBody, newCampaignValues, type CampaignValues } from "./campaignForm";

function renderForm(onSubmit: (values: CampaignValues) => Promise<unknown>) {
  renderInConsole(<CampaignForm initial={{ ...newCampaignValues(dayjs("2026-03-01T08:00:00Z")), name: "Spring" }} onSubmit={onSubmit} submitText="Create" />, { roles: ["manager"] });
}

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
  });

  it("shows a 409's detail above the form", async () => {
    renderForm(() => Promise.reject(new ApiError({ type: "x", title: "Conflict", status: 409, detail: "The campaign has ended.", reason: "ended" })));
    fireEvent.submit(screen.getByLabelText("Name").closest("form")!);
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("The campaign has ended."));
  });

  it("does not send a campaign without a name", async () => {
    const onSubmit = vi.fn((_values: CampaignValues): Promise<unknown> => Promise.resolve());
    renderForm(onSubmit);
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "  " } });
    fireEvent.submit(screen.getByLabelText("Name").closest("form")!);
    await waitFor(() => expect(formItem("Name")).toHaveTextContent("Required"));
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
