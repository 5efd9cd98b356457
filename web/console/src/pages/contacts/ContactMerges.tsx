// A contact's merges: who was merged in (or into whom), on what evidence, by whom, when and why;
// and the ids merged into it (they resolve to it).
import { Space, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { Link } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { useInsightT, type InsightT } from "./insightMessages";

const PAGE = 10;

type MergeEntry = Schemas["MergeEntry"];

export function evidenceLabel(t: InsightT, kind: string): string {
  const text = (t as (k: string) => string)(`evidence_${kind}`);
  return text === `evidence_${kind}` ? kind : text;
}

function actorLabel(t: InsightT, actor: Schemas["MergeActor"]): string {
  if (actor.kind === "staff") return t("actor_staff", { id: actor.id ?? "—" });
  if (actor.kind === "member") return t("actor_member");
  return t("actor_system");
}

function ContactLink({ id, current }: { id: string; current: string }) {
  return id === current ? <Typography.Text strong>{id}</Typography.Text> : <Link to={`/contacts/${encodeURIComponent(id)}`}>{id}</Link>;
}

/** The ids merged into a contact (they resolve to it). */
export function MergedFrom({ ids }: { ids: string[] }) {
  return <span style={{ overflowWrap: "anywhere" }}>{ids.join(", ")}</span>;
}

export function ContactMerges({ contactId }: { contactId: string }) {
  const t = useInsightT();
  const api = useApi();
  const pages = useCursorPages(["contact", contactId, "merges"], (cursor) =>
    unwrap(
      api.GET("/v1/contacts/{contact_id}/merges", {
        params: { path: { contact_id: contactId }, query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  );
  const columns: ColumnsType<MergeEntry> = [
    { title: t("colAlias"), key: "alias", render: (_, item) => <ContactLink id={item.alias_id} current={contactId} /> },
    { title: t("colSurvivor"), key: "survivor", render: (_, item) => <ContactLink id={item.survivor_id} current={contactId} /> },
    {
      title: t("colEvidence"),
      key: "evidence",
      render: (_, item) => (
        <Space orientation="vertical" size={0}>
          <span>{evidenceLabel(t, item.evidence)}</span>
          {(item.identities_released ?? []).length > 0 && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t("released", { kinds: (item.identities_released ?? []).map((kind) => evidenceLabel(t, kind)).join("、") })}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    { title: t("colActor"), key: "actor", render: (_, item) => actorLabel(t, item.actor) },
    { title: t("colReason"), key: "reason", render: (_, item) => item.reason || "—" },
    { title: t("colMergedAt"), key: "at", render: (_, item) => formatTime(item.merged_at) },
  ];
  return (
    <PagedTable<MergeEntry> pages={pages} rowKey="merge_id" columns={columns} empty={<EmptyState description={t("noMerges")} />} scrollLabel={t("mergesScroller")} />
  );
}
