// A listing in the API's cursor pages as a table: its loading, error and empty states, the rows of
// the current page (the table dims while another page loads in its place, not while a shown page is
// refreshed in the background: polled lists would flicker), the pager, and the table's sideways
// scroller named and in reach of the keyboard.
import { Table, type TableProps } from "antd";
import type { ReactNode } from "react";
import { CursorList, type CursorPages } from "./cursor";
import { KeyboardScroll } from "./KeyboardScroll";

type PagedTableProps<T> = Omit<TableProps<T>, "dataSource" | "pagination" | "loading" | "scroll"> & {
  pages: CursorPages<T>;
  /** What an empty first page shows (an EmptyState saying what there is none of). */
  empty: ReactNode;
  /** The scroller's accessible name: which table it scrolls. */
  scrollLabel: string;
};

export function PagedTable<T extends object>({ pages, empty, scrollLabel, size = "small", ...table }: PagedTableProps<T>) {
  return (
    <CursorList pages={pages} empty={empty}>
      {(items) => (
        <KeyboardScroll label={scrollLabel}>
          <Table<T> {...table} size={size} dataSource={items} pagination={false} scroll={{ x: "max-content" }} loading={pages.query.isPlaceholderData} />
        </KeyboardScroll>
      )}
    </CursorList>
  );
}
