// A contact's points account (balance, tier, expiring) and its ledger, newest first, paged.
import { useQuery } from "@tanstack/react-query";
import { Col, Row, Statistic, Typography } from "antd";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState, QueryState } from "../../components/QueryState";
import { useContactsT } from "./messages";
import { entryTypeLabel } from "./view";
import { formatTime } from "../../components/format";

const PAGE_SIZE = 10;

export function ContactPoints({ contactId }: { contactId: string }) {
  const t = useContactsT();
  const api = useApi();
  const path = { contact_id: contactId };
  const account = useQuery({
    queryKey: ["contact", contactId, "points"],
    queryFn: () => unwrap(api.GET("/v1/contacts/{contact_id}/points", { params: { path } })),
  });
  const entries = useCursorPages(["contact", contactId, "entries"], (cursor) =>
    unwrap(api.GET("/v1/contacts/{contact_id}/points/entries", { params: { path, query: { limit: PAGE_SIZE, cursor } } })),
  );
  const columns = [
    { title: t("entryAt"), key: "at", render: (_: unknown, entry: Schemas["Entry"]) => formatTime(entry.created_at) },
    { title: t("entryType"), key: "type", render: (_: unknown, entry: Schemas["Entry"]) => entryTypeLabel(t, entry.type) },
    {
      title: t("entryPoints"),
      key: "points",
      align: "right" as const,
      render: (_: unknown, entry: Schemas["Entry"]) => (entry.points > 0 ? `+${entry.points}` : String(entry.points)),
    },
    { title: t("entryBalance"), dataIndex: "balance_after", key: "balance", align: "right" as const },
    { title: t("entryReason"), dataIndex: "reason", key: "reason" },
  ];
  return (
    <>
      <QueryState query={account}>
        {(view) => (
          <Row gutter={[16, 16]}>
            <Col xs={12} md={6}>
              <Statistic title={t("balance")} value={view.balance} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t("lifetimeEarned")} value={view.lifetime_earned} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t("tier")} value={view.tier ?? t("noTier")} />
            </Col>
            <Col xs={24} md={6}>
              <Typography.Text strong>{t("expiring")}</Typography.Text>
              <ul style={{ margin: 0, paddingLeft: 18 }}>
                {view.expiring.length === 0 ? (
                  <li>{t("none")}</li>
                ) : (
                  view.expiring.map((lot) => <li key={lot.expires_at}>{t("expiringItem", { points: lot.points, date: formatTime(lot.expires_at) })}</li>)
                )}
              </ul>
            </Col>
            {view.merged_into && (
              <Col span={24}>
                <Typography.Text>{t("mergedInto", { id: view.merged_into })}</Typography.Text>
              </Col>
            )}
          </Row>
        )}
      </QueryState>
      <Typography.Title level={3} style={{ fontSize: 15, marginTop: 24 }}>
        {t("ledger")}
      </Typography.Title>
      <PagedTable pages={entries} rowKey="entry_id" columns={columns} empty={<EmptyState description={t("noEntries")} />} scrollLabel={t("ledgerScroller")} />
    </>
  );
}
