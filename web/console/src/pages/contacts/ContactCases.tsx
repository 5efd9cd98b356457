// The contact's cases. `GET /v1/cases` has no contact filter yet, so this searches the tenant's
// cases page by page, newest first, and keeps this contact's; the person asks for older pages.
import { useInfiniteQuery } from "@tanstack/react-query";
import { Button, Space, Table, Typography } from "antd";
import { unwrap, type Schemas } from "@shared/api/client";
import { Link } from "react-router-dom";
import { useApi } from "../../app";
import { EmptyState, QueryState } from "../../components/QueryState";
import { useContactsT } from "./messages";
import { formatTime } from "../../components/format";

const SCAN_PAGE = 200;

export function ContactCases({ contactId }: { contactId: string }) {
  const t = useContactsT();
  const api = useApi();
  const query = useInfiniteQuery({
    queryKey: ["contact", contactId, "cases"],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(api.GET("/v1/cases", { params: { query: { limit: SCAN_PAGE, cursor: pageParam } } })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const columns = [
    {
      title: t("caseSubject"),
      key: "subject",
      render: (_: unknown, item: Schemas["CaseView"]) => <Link to={`/cases/${encodeURIComponent(item.case_id)}`}>{item.subject}</Link>,
    },
    { title: t("caseStatus"), dataIndex: "status", key: "status" },
    { title: t("casePriority"), dataIndex: "priority", key: "priority" },
    { title: t("caseCreated"), key: "created", render: (_: unknown, item: Schemas["CaseView"]) => formatTime(item.created_at) },
  ];
  return (
    <QueryState query={query}>
      {(data) => {
        const scanned = data.pages.reduce((sum, page) => sum + page.items.length, 0);
        const mine = data.pages.flatMap((page) => page.items.filter((item) => item.contact_id === contactId));
        return (
          <Space orientation="vertical" style={{ width: "100%" }}>
            {mine.length === 0 ? (
              <EmptyState description={t("noCases")} />
            ) : (
              <Table rowKey="case_id" dataSource={mine} columns={columns} pagination={false} size="small" scroll={{ x: "max-content" }} />
            )}
            <Space wrap>
              <Typography.Text type="secondary">{t("casesScanned", { count: scanned })}</Typography.Text>
              {query.hasNextPage && (
                <Button size="small" onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
                  {t("casesOlder")}
                </Button>
              )}
            </Space>
          </Space>
        );
      }}
    </QueryState>
  );
}
