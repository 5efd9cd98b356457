// Cursor pagination: the API's `next_cursor` drives React Query's infinite query; "load more" asks
// for the next page.
import Button from "antd-mobile/es/components/button";
import { useInfiniteQuery, type QueryKey } from "@tanstack/react-query";
import { useCommonT } from "../messages";

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export function useCursorPages<T>(key: QueryKey, fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {
  const query = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = query.data?.pages.flatMap((page) => page.items) ?? [];
  return { ...query, items };
}

export function LoadMore({
  pages,
}: {
  pages: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown; items: unknown[] };
}) {
  const t = useCommonT();
  if (!pages.hasNextPage) {
    return pages.items.length > 0 ? <p className="m-muted m-center">{t("noMore")}</p> : null;
  }
  return (
    <Button block fill="outline" loading={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
      {t("loadMore")}
    </Button>
  );
}
