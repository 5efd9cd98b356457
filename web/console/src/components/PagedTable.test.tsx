import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useCursorPages } from "./cursor";
import { PagedTable } from "./PagedTable";
import { EmptyState } from "./QueryState";
import { renderInConsole } from "./testing";

interface Row {
  id: string;
}

/** Two pages of one row each, then an empty third (as an API may answer a last cursor). */
const PAGES: Record<string, { items: Row[]; next_cursor: string | null }> = {
  first: { items: [{ id: "row-1" }], next_cursor: "c2" },
  c2: { items: [{ id: "row-2" }], next_cursor: "c3" },
  c3: { items: [], next_cursor: null },
};

function Rows({ answer }: { answer: (cursor: string) => Promise<{ items: Row[]; next_cursor: string | null }> }) {
  const pages = useCursorPages<Row>(["rows"], (cursor) => answer(cursor ?? "first"));
  return <PagedTable<Row> pages={pages} rowKey="id" columns={[{ title: "Id", dataIndex: "id", key: "id" }]} empty={<EmptyState description="No rows yet" />} scrollLabel="Rows table" />;
}

describe("PagedTable", () => {
  it("pages through the API's cursors with a named scroller, and an empty later page still offers previous", async () => {
    const user = userEvent.setup();
    renderInConsole(<Rows answer={async (cursor) => PAGES[cursor]} />);
    expect(await screen.findByText("row-1")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Rows table" })).toHaveAttribute("tabindex", "0");
    expect(screen.getByRole("button", { name: "Previous page" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByText("row-2")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Next page" }));
    await waitFor(() => expect(screen.queryByText("row-2")).not.toBeInTheDocument());
    expect(screen.queryByText("No rows yet")).not.toBeInTheDocument();
    expect(within(screen.getByRole("region", { name: "Rows table" })).getAllByText("No data").length).toBeGreaterThan(0);
    expect(screen.getByRole("button", { name: "Next page" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Previous page" }));
    expect(await screen.findByText("row-2")).toBeInTheDocument();
  });

  it("says what there is none of on an empty first page, and shows the API's problem with a retry", async () => {
    const { unmount } = renderInConsole(<Rows answer={async () => ({ items: [], next_cursor: null })} />);
    expect(await screen.findByText("No rows yet")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Next page" })).not.toBeInTheDocument();
    unmount();

    let calls = 0;
    renderInConsole(
      <Rows
        answer={async (cursor) => {
          calls += 1;
          if (calls === 1) throw new Error("the service is busy");
          return PAGES[cursor];
        }}
      />,
    );
    expect(await screen.findByText(/the service is busy/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByText("row-1")).toBeInTheDocument();
  });

  it("keeps the pager on an empty first page with more to come (a listing filtered after it is read)", async () => {
    const user = userEvent.setup();
    renderInConsole(<Rows answer={async (cursor) => (cursor === "first" ? { items: [], next_cursor: "c2" } : PAGES[cursor])} />);
    expect(await screen.findByRole("button", { name: "Next page" })).toBeEnabled();
    expect(screen.queryByText("No rows yet")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByText("row-2")).toBeInTheDocument();
  });
});
