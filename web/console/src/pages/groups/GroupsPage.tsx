// Customer groups (客户群): the list (a guide sees their own), daily joins/leaves, the admin's sync,
// and a group's detail with its members and 群接龙 in a drawer (the open group is in the URL).
import { Button, Card, Flex, Input } from "antd";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { Can, useApi, useSession } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { Section } from "../../components/Section";
import { ActivityChart } from "./ActivityChart";
import { GroupDrawer } from "./GroupDrawer";
import { ToneTag } from "../../components/Tone";
import { useGroupsT } from "./messages";
import { SyncGroups } from "./SyncGroups";

const PAGE_SIZE = 20;

export default function GroupsPage() {
  const t = useGroupsT();
  const api = useApi();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const onlyGuide = session.roles.every((role) => role === "guide");
  const [ownerText, setOwnerText] = useState(params.get("owner") ?? "");
  const owner = onlyGuide ? session.staffId : params.get("owner") || undefined;
  const chatId = params.get("group");
  const setParam = (name: string, value: string | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(name, value);
      else next.delete(name);
      return next;
    });
  const pages = useCursorPages(["wecom", "groups", "list", owner ?? ""], (cursor) =>
    unwrap(api.GET("/v1/wecom/groups", { params: { query: { owner, cursor, limit: PAGE_SIZE } } })),
  );
  const columns = [
    {
      title: t("name"),
      key: "name",
      render: (_: unknown, group: Schemas["GroupView"]) => {
        const name = group.name || t("unnamed");
        return (
          <Button type="link" style={{ padding: 0 }} aria-label={t("openGroup", { name })} onClick={() => setParam("group", group.chat_id)}>
            {name}
          </Button>
        );
      },
    },
    { title: t("owner"), dataIndex: "owner", key: "owner", render: (value: string | null) => value ?? t("none") },
    { title: t("members"), dataIndex: "member_count", key: "members" },
    {
      title: t("status"),
      dataIndex: "status",
      key: "status",
      render: (status: Schemas["GroupView"]["status"]) => <ToneTag tone={status === "active" ? "success" : "neutral"}>{t(`status_${status}`)}</ToneTag>,
    },
    { title: t("createdAt"), dataIndex: "created_at", key: "created", render: formatTime },
  ];
  return (
    <Flex vertical gap={16}>
      <TitleBar
        title={t("title")}
        extra={
          <Can op="POST /v1/wecom/groups/syncs">
            <SyncGroups />
          </Can>
        }
      />
      {!onlyGuide && (
        <Input.Search
          aria-label={t("ownerFilter")}
          placeholder={t("ownerPlaceholder")}
          allowClear
          value={ownerText}
          onChange={(event) => setOwnerText(event.target.value)}
          onSearch={(value) => setParam("owner", value.trim() || null)}
          style={{ maxWidth: 360 }}
        />
      )}
      <Section id="groups-activity" title={t("activity")}>
        <ActivityChart owner={owner} />
      </Section>
      <Card>
        <PagedTable<Schemas["GroupView"]> pages={pages} rowKey="chat_id" columns={columns} size="large" empty={<EmptyState description={t("noGroups")} />} scrollLabel={t("listScroller")} />
      </Card>
      <GroupDrawer chatId={chatId} onClose={() => setParam("group", null)} />
    </Flex>
  );
}
