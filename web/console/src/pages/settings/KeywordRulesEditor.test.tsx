import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { KeywordRulesEditor } from "./KeywordRulesEditor";
import { InForm, renderInConsole } from "../../components/testing";

const user = userEvent.setup({ delay: null });
const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

describe("the keyword rules editor", () => {
  it("starts empty, adds a rule of words → case type and priority, and submits keyword_rules", async () => {
    const onFinish = vi.fn();
    renderInConsole(
      <InForm initial={{ keyword_rules: [] }} onFinish={onFinish}>
        <KeywordRulesEditor />
      </InForm>,
    );
    expect(screen.getByText(/No keyword rules/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /Add keyword rule/ }));
    const rule = screen.getByText("Rule 1").closest(".ant-card") as HTMLElement;
    await user.click(within(rule).getByRole("combobox", { name: "Keywords" }));
    await user.paste("投诉,退款,");
    await user.keyboard("退款{Enter}");
    expect(screen.getByTestId("keyword-summary-0")).toHaveTextContent("Message mentions 投诉 / 退款 → opens a Complaint case (Normal)");
    await user.click(screen.getByRole("button", { name: "submit" }));
    await waitFor(() => expect(onFinish).toHaveBeenCalled());
    expect(onFinish.mock.calls[0][0]).toEqual({ keyword_rules: [{ keywords: ["投诉", "退款"], type: "complaint", priority: "normal" }] });
  }, SLOW);

  it("removes a rule", async () => {
    const onFinish = vi.fn();
    renderInConsole(
      <InForm initial={{ keyword_rules: [{ keywords: ["a"], type: "inquiry", priority: "low" }, { keywords: ["b"], type: "complaint", priority: "urgent" }] }} onFinish={onFinish}>
        <KeywordRulesEditor />
      </InForm>,
    );
    expect(screen.getByTestId("keyword-summary-1")).toHaveTextContent("Message mentions b → opens a Complaint case (Urgent)");
    await user.click(screen.getByRole("button", { name: "Remove rule 1" }));
    await user.click(screen.getByRole("button", { name: "submit" }));
    await waitFor(() => expect(onFinish).toHaveBeenCalled());
    expect(onFinish.mock.calls[0][0]).toEqual({ keyword_rules: [{ keywords: ["b"], type: "complaint", priority: "urgent" }] });
  }, SLOW);
});
