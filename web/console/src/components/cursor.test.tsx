import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { useCursorPages } from "./cursor";

function wrapper({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>{children}</QueryClientProvider>;
}

describe("useCursorPages", () => {
  it("follows the API's cursors forward and back, and a new filter starts at page one without the old cursor", async () => {
    const asked: string[] = [];
    const fetchPage = (filter: string) => async (cursor: string | undefined) => {
      asked.push(`${filter}:${cursor ?? "first"}`);
      return { items: [cursor ?? "first"], next_cursor: `${filter}-next-${asked.length}` };
    };
    const { result, rerender } = renderHook(({ filter }) => useCursorPages(["contacts", filter], fetchPage(filter)), {
      wrapper,
      initialProps: { filter: "vip" },
    });
    await waitFor(() => expect(result.current.hasNext).toBe(true));
    act(() => void result.current.next());
    await waitFor(() => expect(result.current.page).toBe(2));
    await waitFor(() => expect(asked).toEqual(["vip:first", "vip:vip-next-1"]));
    rerender({ filter: "new" });
    expect(result.current.page).toBe(1);
    await waitFor(() => expect(asked).toContain("new:first"));
    expect(asked.filter((call) => call.startsWith("new:"))).toEqual(["new:first"]);
  });
});
