import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiError } from "@shared/api/client";
import { LanguageProvider } from "@shared/i18n";
import { CaseForm } from "./CaseForm";

function item(label: string): HTMLElement {
  return screen.getByLabelText(label).closest(".adm-form-item") as HTMLElement;
}

function renderForm(onSubmit: Parameters<typeof CaseForm>[0]["onSubmit"]) {
  render(
    <LanguageProvider storageKey="test.language" initial="zh-CN">
      <CaseForm onSubmit={onSubmit} />
    </LanguageProvider>,
  );
}

describe("CaseForm", () => {
  it("sends type, subject, order id and details", async () => {
    const onSubmit = vi.fn(async () => undefined);
    renderForm(onSubmit);
    await userEvent.selectOptions(screen.getByLabelText("类型"), "after_sales");
    await userEvent.type(screen.getByLabelText("标题"), "  Wrong size ");
    await userEvent.type(screen.getByLabelText("订单号"), "SO-1");
    await userEvent.type(screen.getByLabelText("详细描述"), "Shoes too small");
    await userEvent.click(screen.getByRole("button", { name: "提交" }));
    await waitFor(() =>
      expect(onSubmit).toHaveBeenCalledWith({ type: "after_sales", subject: "Wrong size", order_id: "SO-1", description: "Shoes too small" }),
    );
  });

  it("puts each problem+json field error on its field, the rest above the form", async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError({
        type: "about:blank",
        title: "Unprocessable",
        status: 422,
        detail: "invalid",
        errors: [
          { loc: ["body", "order_id"], msg: "String should match pattern '^[A-Za-z0-9_.:-]+$'" },
          { loc: ["body", "subject"], msg: "String should have at most 200 characters" },
          { loc: ["query", "x"], msg: "not allowed" },
        ],
      });
    });
    renderForm(onSubmit);
    await userEvent.type(screen.getByLabelText("标题"), "Late delivery");
    await userEvent.type(screen.getByLabelText("订单号"), "bad id!");
    await userEvent.click(screen.getByRole("button", { name: "提交" }));
    expect(await within(item("订单号")).findByText("订单号只能包含字母、数字和 _ . : -")).toBeInTheDocument();
    expect(within(item("标题")).getByText("String should have at most 200 characters")).toBeInTheDocument();
    expect(within(item("详细描述")).queryByText(/String should/)).toBeNull();
    expect(screen.getByRole("alert")).toHaveTextContent("x: not allowed");
  });

  it("asks for a subject before sending anything", async () => {
    const onSubmit = vi.fn(async () => undefined);
    renderForm(onSubmit);
    await userEvent.click(screen.getByRole("button", { name: "提交" }));
    expect(await within(item("标题")).findByText("请填写标题")).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
