import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { BusinessHoursFields, HolidayList, WeekGrid } from "./BusinessHoursEditor";
import { InForm, renderInConsole } from "../../components/testing";

const user = userEvent.setup({ delay: null });
const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

describe("the week grid", () => {
  it("shows working days with their hours and rest days as closed, and toggles a day in order", async () => {
    const onChange = vi.fn();
    renderInConsole(<WeekGrid value={[0, 1, 2, 3, 4]} opens="09:00" closes="18:00" onChange={onChange} />);
    const grid = screen.getByRole("group", { name: "Working days" });
    expect(within(grid).getAllByRole("checkbox")).toHaveLength(7);
    expect(within(grid).getByRole("checkbox", { name: "Mon" })).toBeChecked();
    expect(within(grid).getByRole("checkbox", { name: "Sat" })).not.toBeChecked();
    expect(within(grid).getAllByText("09:00–18:00")).toHaveLength(5);
    expect(within(grid).getAllByText("Closed")).toHaveLength(2);
    await user.click(within(grid).getByRole("checkbox", { name: "Sat" }));
    expect(onChange).toHaveBeenLastCalledWith([0, 1, 2, 3, 4, 5]);
    await user.click(within(grid).getByRole("checkbox", { name: "Mon" }));
    expect(onChange).toHaveBeenLastCalledWith([1, 2, 3, 4]);
  }, SLOW);
});

describe("the holiday list", () => {
  it("adds a date once, keeps the list sorted, and removes one", async () => {
    const seen: string[][] = [];
    function Harness() {
      const [dates, setDates] = useState(["2030-10-01"]);
      return <HolidayList value={dates} onChange={(next) => { seen.push(next); setDates(next); }} />;
    }
    renderInConsole(<Harness />);
    const date = screen.getByLabelText("Holiday date");
    fireEvent.change(date, { target: { value: "2030-05-01" } });
    await user.click(screen.getByRole("button", { name: "Add holiday" }));
    expect(seen.at(-1)).toEqual(["2030-05-01", "2030-10-01"]);
    fireEvent.change(date, { target: { value: "2030-10-01" } });
    await user.click(screen.getByRole("button", { name: "Add holiday" }));
    expect(seen.at(-1)).toEqual(["2030-05-01", "2030-10-01"]);
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
    await user.click(screen.getByRole("button", { name: "Remove holiday 2030-05-01" }));
    expect(seen.at(-1)).toEqual(["2030-10-01"]);
    expect(screen.getAllByRole("listitem")).toHaveLength(1);
  }, SLOW);
});

describe("the business hours fields", () => {
  it("edit business_hours as the settings document names it", async () => {
    const onFinish = vi.fn();
    renderInConsole(
      <InForm
        initial={{ business_hours: { time_zone: "Asia/Shanghai", opens: "09:00", closes: "18:00", weekdays: [0, 1, 2, 3, 4], holidays: [] } }}
        onFinish={onFinish}
      >
        <BusinessHoursFields />
      </InForm>,
    );
    fireEvent.change(screen.getByLabelText("Closes"), { target: { value: "20:30" } });
    await user.click(screen.getByRole("checkbox", { name: "Sat" }));
    expect(screen.getAllByText("09:00–20:30")).toHaveLength(6);
    fireEvent.change(screen.getByLabelText("Holiday date"), { target: { value: "2030-01-01" } });
    await user.click(screen.getByRole("button", { name: "Add holiday" }));
    await user.click(screen.getByRole("button", { name: "submit" }));
    await waitFor(() => expect(onFinish).toHaveBeenCalled());
    expect(onFinish.mock.calls[0][0]).toEqual({
      business_hours: { time_zone: "Asia/Shanghai", opens: "09:00", closes: "20:30", weekdays: [0, 1, 2, 3, 4, 5], holidays: ["2030-01-01"] },
    });
  }, SLOW);
});
