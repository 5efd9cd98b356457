// The three states every page shows before its content: loading, error (with the API's problem
// detail and a retry) and empty.
import { Button, Empty, Result, Skeleton } from "antd";
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ApiError } from "@shared/api/client";
import { useCommonT } from "./messages";
import { problemText } from "./problems";

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useCommonT();
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <Result
      status={forbidden ? "403" : "error"}
      title={forbidden ? t("forbidden") : t("error")}
      subTitle={problemText(error)}
      extra={
        onRetry && !forbidden ? (
          <Button onClick={onRetry} type="primary">
            {t("retry")}
          </Button>
        ) : undefined
      }
    />
  );
}

export function EmptyState({ description, children }: { description?: ReactNode; children?: ReactNode }) {
  const t = useCommonT();
  return <Empty description={description ?? t("empty")}>{children}</Empty>;
}

export function QueryState<T>({
  query,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  const t = useCommonT();
  if (query.isPending) return <Skeleton active aria-label={t("loading")} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  if (isEmpty?.(query.data)) return <>{empty ?? <EmptyState />}</>;
  return <>{children(query.data)}</>;
}
