import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { useSettingsT } from "./messages";
import { describeRule, RoutingRulesEditor } from "./RoutingRulesEditor";
import { InForm, renderInConsole } from "../../components/testing";

const user = userEvent.setup({ delay: null });
const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

function Described({ rule }: { rule: Parameters<typeof describeRule>[0] }) {
  return <p>{describeRule(rule, "VIP", useSettingsT())}</p>;
}

describe("a routing rule in words", () => {
  it("says an empty rule takes every case, and joins the conditions with 'and'", () => {
    renderInConsole(
      <>
        <Described rule={{}} />
        <Described rule={{ types: ["complaint", "after_sales"], keywords: ["refund"], brands: ["Acme"] }} />
      </>,
    );
    expect(screen.getByText("every case → VIP")).toBeInTheDocument();
    expect(screen.getByText("type is Complaint / After-sales and mentions refund and brand is Acme → VIP")).toBeInTheDocument();
  });
});

describe("the routing rules builder", () => {
  it("builds conditions → queue rules as the queue's `rules`, and removes one", async () => {
    const onFinish = vi.fn();
    renderInConsole(
      <InForm initial={{ rules: [{ types: [], keywords: ["late"], brands: [] }] }} onFinish={onFinish}>
        <RoutingRulesEditor queueName="Complaints" />
      </InForm>,
    );
    expect(screen.getByTestId("rule-summary-0")).toHaveTextContent("mentions late → Complaints");
    await user.click(screen.getByRole("button", { name: /Add routing rule/ }));
    const second = screen.getByText("Rule 2").closest(".ant-card") as HTMLElement;
    await user.click(within(second).getByRole("checkbox", { name: "Complaint" }));
    await user.click(within(second).getByRole("combobox", { name: "Keywords" }));
    await user.keyboard("refund{Enter}");
    await user.click(within(second).getByRole("combobox", { name: "Brands" }));
    await user.paste("Acme,");
    expect(screen.getByTestId("rule-summary-1")).toHaveTextContent("type is Complaint and mentions refund and brand is Acme → Complaints");
    await user.click(screen.getByRole("button", { name: "Remove rule 1" }));
    await user.click(screen.getByRole("button", { name: "submit" }));
    await waitFor(() => expect(onFinish).toHaveBeenCalled());
    expect(onFinish.mock.calls[0][0]).toEqual({ rules: [{ types: ["complaint"], keywords: ["refund"], brands: ["Acme"] }] });
  }, SLOW);
});
