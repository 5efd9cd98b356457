// The tenant's KOCs, the latest flagged first, in the API's cursor pages: each with its influence
// score, direct and downstream qualified invitees, downstream GMV and when it was flagged; a button
// shows its network below.
import type { ColumnsType } from "antd/es/table";
import { unwrap } from "@shared/api/client";
import { useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { yuan } from "../contacts/facts";
import { formatScore, type Influence } from "./koc";
import { useKocT } from "./messages";
import { ShowNetworkButton } from "./NetworkSection";
import { ContactLink } from "../../components/ContactLink";

const PAGE_SIZE = 20;

export function KocList({ onShowNetwork }: { onShowNetwork: (contactId: string) => void }) {
  const t = useKocT();
  const api = useApi();
  const pages = useCursorPages(["koc", "list"], (cursor) => unwrap(api.GET("/v1/koc", { params: { query: { limit: PAGE_SIZE, cursor } } })));
  const columns: ColumnsType<Influence> = [
    {
      title: t("contact"),
      key: "contact",
      render: (_: unknown, row) => <ContactLink id={row.contact_id} />,
    },
    { title: t("score"), key: "score", align: "right", render: (_: unknown, row) => formatScore(row.score) },
    { title: t("direct"), dataIndex: "direct", key: "direct", align: "right" },
    { title: t("downstream"), dataIndex: "downstream", key: "downstream", align: "right" },
    { title: t("gmv"), key: "gmv", align: "right", render: (_: unknown, row) => yuan(row.gmv_fen) },
    { title: t("kocAt"), key: "koc_at", render: (_: unknown, row) => formatTime(row.koc_at) },
    {
      title: t("showNetwork"),
      key: "network",
      render: (_: unknown, row) => <ShowNetworkButton id={row.contact_id} onShow={onShowNetwork} />,
    },
  ];
  return (
    <PagedTable<Influence> pages={pages} rowKey="contact_id" columns={columns} empty={<EmptyState description={t("noKocs")} />} scrollLabel={t("listScroller")} />
  );
}
