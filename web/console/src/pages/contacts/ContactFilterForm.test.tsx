import "@testing-library/jest-dom/vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { LanguageProvider } from "@shared/i18n";
import { ContactFilterForm } from "./ContactFilterForm";
import { contactsQuery, NO_FILTERS, type ContactFilters } from "./filters";

function renderForm(value: ContactFilters, showOwner = true) {
  const onChange = vi.fn<(filters: ContactFilters) => void>();
  render(
    <LanguageProvider storageKey="test.language" initial="en">
      <ContactFilterForm value={value} onChange={onChange} campaigns={[{ value: "cmp_1", label: "Spring" }]} showOwner={showOwner} />
    </LanguageProvider>,
  );
  return onChange;
}

describe("ContactFilterForm", () => {
  it("builds the list query from what was typed", async () => {
    const onChange = renderForm(NO_FILTERS);
    fireEvent.change(screen.getByLabelText("Find by identity"), { target: { value: "138-0013-8000" } });
    fireEvent.change(screen.getByLabelText("Tag"), { target: { value: " vip " } });
    fireEvent.change(screen.getByLabelText("Owner"), { target: { value: "s1" } });
    fireEvent.submit(screen.getByRole("form", { name: "Filter contacts" }));
    await waitFor(() => expect(onChange).toHaveBeenCalledTimes(1));
    expect(contactsQuery(onChange.mock.calls[0]![0])).toEqual({ phone: "13800138000", tag: "vip", owner: "s1" });
  });

  it("keeps the source campaign it was opened with, and reset clears everything", async () => {
    const onChange = renderForm({ ...NO_FILTERS, tag: "vip", sourceCampaign: "cmp_1" });
    expect(screen.getByText("Spring")).toBeInTheDocument();
    fireEvent.submit(screen.getByRole("form", { name: "Filter contacts" }));
    await waitFor(() => expect(onChange).toHaveBeenCalledTimes(1));
    expect(contactsQuery(onChange.mock.calls[0]![0])).toEqual({ tag: "vip", source_campaign: "cmp_1" });
    fireEvent.click(screen.getByText("Reset"));
    expect(onChange).toHaveBeenLastCalledWith(NO_FILTERS);
    expect(screen.getByLabelText("Tag")).toHaveValue("");
  });

  it("has no owner filter for a guide (the API answers only their own)", () => {
    renderForm(NO_FILTERS, false);
    expect(screen.queryByLabelText("Owner")).not.toBeInTheDocument();
  });
});
