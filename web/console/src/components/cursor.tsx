// Cursor pagination, as every Siyu list answers it (`items` and `next_cursor`): the pages seen so
// far are a stack of cursors, so "previous" is exact and "next" is the API's own cursor.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Button, Space } from "antd";
import { useState, type ReactNode } from "react";
import { useCommonT } from "./messages";
import { QueryState } from "./QueryState";

export interface CursorPage<T> {
  items: T[];
  next_cursor?: string | null;
}

export function useCursorPages<T>(key: readonly unknown[], fetchPage: (cursor: string | undefined) => Promise<CursorPage<T>>) {
  // The cursors belong to the listing they came from: a new filter starts again at page one in the
  // same render (a cursor of the old filter is never sent with the new one: the API refuses it).
  const keyText = JSON.stringify(key);
  const [paging, setPaging] = useState<{ key: string; cursors: (string | undefined)[] }>({ key: keyText, cursors: [undefined] });
  const cursors = paging.key === keyText ? paging.cursors : [undefined];
  const setCursors = (change: (stack: (string | undefined)[]) => (string | undefined)[]) =>
    setPaging((current) => ({ key: keyText, cursors: change(current.key === keyText ? current.cursors : [undefined]) }));
  const cursor = cursors[cursors.length - 1];
  const query = useQuery({
    queryKey: [...key, "page", cursor ?? ""],
    queryFn: () => fetchPage(cursor),
    placeholderData: keepPreviousData,
  });
  const nextCursor = query.data?.next_cursor ?? null;
  return {
    query,
    page: cursors.length,
    hasPrevious: cursors.length > 1,
    hasNext: Boolean(nextCursor),
    next: () => nextCursor && setCursors((stack) => [...stack, nextCursor]),
    previous: () => setCursors((stack) => (stack.length > 1 ? stack.slice(0, -1) : stack)),
  };
}

export type CursorPages<T> = ReturnType<typeof useCursorPages<T>>;

/** A listing's current page in its states: loading, error, `empty` (only on page one with nothing
 * more to come: a later page the API answers empty still offers "previous", and an empty first page
 * of a listing filtered after it is read still offers "next"), else its items and the pager. */
export function CursorList<T>({ pages, empty, children }: { pages: CursorPages<T>; empty: ReactNode; children: (items: T[]) => ReactNode }) {
  return (
    <QueryState query={pages.query} isEmpty={(page) => page.items.length === 0 && !pages.hasPrevious && !pages.hasNext} empty={empty}>
      {(page) => (
        <>
          {children(page.items)}
          <CursorPager pages={pages} />
        </>
      )}
    </QueryState>
  );
}

export function CursorPager({ pages }: { pages: ReturnType<typeof useCursorPages<unknown>> | { page: number; hasPrevious: boolean; hasNext: boolean; next: () => unknown; previous: () => unknown } }) {
  const t = useCommonT();
  if (!pages.hasPrevious && !pages.hasNext) return null;
  return (
    <Space style={{ marginTop: 16 }}>
      <Button disabled={!pages.hasPrevious} onClick={() => pages.previous()}>
        {t("previous")}
      </Button>
      <span aria-live="polite">{pages.page}</span>
      <Button disabled={!pages.hasNext} onClick={() => pages.next()}>
        {t("next")}
      </Button>
    </Space>
  );
}
