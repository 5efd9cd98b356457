// A departed transfer's customer groups (离职继承 of groups): how many moved to the successor and
// how many failed, and each group's outcome with its reason in words, a page at a time.
import { Select } from "antd";
import { useState } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { GROUP_OUTCOMES, GROUP_OUTCOME_TONES, groupReasonText, type GroupOutcome, type TransferGroup } from "./groupsView";
import { useWeComT } from "./messages";

export function GroupCounts({ transfer }: { transfer: Schemas["TransferView"] }) {
  const t = useWeComT();
  const { moved = 0, failed = 0 } = transfer.groups;
  return <>{t("groupCountsText", { moved, failed })}</>;
}

export function TransferGroups({ transfer }: { transfer: Schemas["TransferView"] }) {
  const t = useWeComT();
  const api = useApi();
  const [outcome, setOutcome] = useState<GroupOutcome | undefined>();
  const transferId = transfer.transfer_id;
  // Read again as the transfer moves on (its updated_at changes while groups are being sent).
  const pages = useCursorPages(["wecom", "transfers", "groups", transferId, outcome ?? "", transfer.updated_at], (cursor) =>
    unwrap(api.GET("/v1/wecom/transfers/{transfer_id}/groups", { params: { path: { transfer_id: transferId }, query: { outcome, cursor } } })),
  );
  const columns = [
    { title: t("chatId"), dataIndex: "chat_id", key: "chat" },
    { title: t("groupName"), dataIndex: "name", key: "name", render: (name: string | null | undefined) => name || "—" },
    { title: t("outcome"), dataIndex: "outcome", key: "outcome", render: (o: GroupOutcome) => <ToneTag tone={GROUP_OUTCOME_TONES[o]}>{t(`groupOutcome_${o}`)}</ToneTag> },
    { title: t("reason"), dataIndex: "reason", key: "reason", render: (reason: string | null | undefined) => groupReasonText(t, reason) },
    { title: t("batch"), dataIndex: "batch", key: "batch", render: (batch: number) => batch + 1 },
  ];
  return (
    <section aria-labelledby={`transfer-groups-${transferId}`} style={{ marginTop: 24 }}>
      <TitleBar level={3} title={<span id={`transfer-groups-${transferId}`}>{t("customerGroups")}</span>} style={{ marginBottom: 8 }} />
      <Select
        aria-label={t("groupOutcome")}
        allowClear
        placeholder={t("allOutcomes")}
        style={{ width: 180, marginBottom: 12 }}
        value={outcome}
        onChange={setOutcome}
        options={GROUP_OUTCOMES.map((o) => ({ value: o, label: t(`groupOutcome_${o}`) }))}
      />
      <PagedTable<TransferGroup> pages={pages} rowKey="chat_id" columns={columns} empty={<EmptyState description={t("noGroups")} />} scrollLabel={t("transferGroupsScroller")} />
    </section>
  );
}
