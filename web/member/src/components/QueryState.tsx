// A query's three other states, the same on every page: loading, error (with retry), empty.
import Button from "antd-mobile/es/components/button";
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { problemText } from "@shared/api/problems";
import { useCommonT } from "../messages";
import { PageLoading } from "./PageLoading";

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useCommonT();
  return (
    <div className="m-card m-stack m-center" role="alert">
      <strong>{t("errorTitle")}</strong>
      <p className="m-muted">{problemText(error, t("networkError"))}</p>
      {onRetry && (
        <Button size="small" onClick={onRetry}>
          {t("retry")}
        </Button>
      )}
    </div>
  );
}

export function EmptyState({ children }: { children?: ReactNode }) {
  const t = useCommonT();
  return <div className="m-card m-center m-muted">{children ?? t("empty")}</div>;
}

export function QueryState<T>({
  query,
  isEmpty,
  empty,
  children,
}: {
  query: Pick<UseQueryResult<T>, "isPending" | "isError" | "error" | "data" | "refetch">;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <PageLoading />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const data = query.data as T;
  if (isEmpty?.(data)) return <EmptyState>{empty}</EmptyState>;
  return <>{children(data)}</>;
}
