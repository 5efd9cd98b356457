// A member's statement: pick a contact id (kept in the URL, `?contact=`) → balance, lifetime
// points, tier, points about to expire, and the ledger entries, newest first, in cursor pages.
import { Alert, Card, Descriptions, Flex, Input, Select, Tag, Typography } from "antd";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router-dom";
import { useState } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState, QueryState } from "../../components/QueryState";
import { ENTRY_TYPES, usePointsT } from "./messages";
import { formatTime } from "../../components/format";

type Entry = Schemas["Entry"];
type EntryType = Entry["type"];

export function StatementTab() {
  const t = usePointsT();
  const [params, setParams] = useSearchParams();
  const contactId = params.get("contact") ?? "";
  return (
    <>
      <Typography.Title level={2} style={{ fontSize: 20 }}>
        {t("tab_statement")}
      </Typography.Title>
      <Input.Search
        aria-label={t("contactId")}
        placeholder={t("contactId")}
        enterButton={t("show")}
        defaultValue={contactId}
        onSearch={(value) => {
          const next = new URLSearchParams(params);
          if (value.trim()) next.set("contact", value.trim());
          else next.delete("contact");
          setParams(next);
        }}
        style={{ maxWidth: 420, marginBottom: 16 }}
      />
      {contactId ? <Statement key={contactId} contactId={contactId} /> : <EmptyState description={t("pickContact")} />}
    </>
  );
}

function Statement({ contactId }: { contactId: string }) {
  const t = usePointsT();
  const api = useApi();
  const [types, setTypes] = useState<EntryType[]>([]);
  const account = useQuery({
    queryKey: ["contact-points", contactId],
    queryFn: () => unwrap(api.GET("/v1/contacts/{contact_id}/points", { params: { path: { contact_id: contactId } } })),
  });
  const entries = useCursorPages(["contact-points", contactId, "entries", types], (cursor) =>
    unwrap(
      api.GET("/v1/contacts/{contact_id}/points/entries", {
        params: { path: { contact_id: contactId }, query: { cursor, limit: 20, type: types.length ? types : undefined } },
      }),
    ),
  );
  return (
    <Flex vertical gap={16}>
      <QueryState query={account}>
        {(view) => (
          <Card size="small">
            {view.merged_into && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t("mergedInto", { contact: view.merged_into })} />}
            <Descriptions
              size="small"
              column={{ xs: 1, sm: 3 }}
              items={[
                { key: "balance", label: t("balance"), children: <Typography.Text strong style={{ fontSize: 20 }}>{view.balance}</Typography.Text> },
                { key: "lifetime", label: t("lifetimeEarned"), children: view.lifetime_earned },
                { key: "tier", label: t("tier"), children: view.tier ?? "—" },
              ]}
            />
            {view.expiring.length > 0 && (
              <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }}>
                {t("expiring")}: {view.expiring.map((lot) => t("expiringLot", { points: lot.points, date: formatTime(lot.expires_at) })).join("；")}
              </Typography.Paragraph>
            )}
          </Card>
        )}
      </QueryState>
      <TitleBar
        level={3}
        title={t("entries")}
        extra={
          <Select
            mode="multiple"
            allowClear
            aria-label={t("entryTypes")}
            placeholder={t("entryTypes")}
            style={{ minWidth: 240 }}
            value={types}
            onChange={setTypes}
            options={ENTRY_TYPES.map((type) => ({ value: type, label: t(`entry_${type}`) }))}
          />
        }
      />
      <PagedTable<Entry>
        pages={entries}
        rowKey="entry_id"
        size="large"
        empty={<EmptyState />}
        scrollLabel={t("entriesScroller")}
        columns={[
          { title: t("time"), dataIndex: "created_at", render: formatTime },
          { title: t("entryType"), dataIndex: "type", render: (type: EntryType) => <Tag>{t(`entry_${type}`)}</Tag> },
          {
            title: t("points"),
            dataIndex: "points",
            align: "right",
            render: (points: number) => (
              <Typography.Text style={{ color: points < 0 ? "#a8071a" : "#135200" }}>{points > 0 ? `+${points}` : points}</Typography.Text>
            ),
          },
          { title: t("balanceAfter"), dataIndex: "balance_after", align: "right" },
          { title: t("reason"), dataIndex: "reason" },
          { title: t("actor"), dataIndex: "actor", render: (actor: string | null | undefined) => actor ?? "—" },
        ]}
      />
    </Flex>
  );
}
