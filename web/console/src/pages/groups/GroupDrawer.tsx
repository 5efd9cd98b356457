// A customer group opened from the list: its details, daily joins/leaves, members (cursor pages)
// and its 群接龙 sheets (post one, open one).
import { useQuery } from "@tanstack/react-query";
import { Button, Descriptions, Drawer, Flex, Typography } from "antd";
import { useState } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState, QueryState } from "../../components/QueryState";
import { ActivityChart } from "./ActivityChart";
import { ToneTag } from "../../components/Tone";
import { useGroupsT } from "./messages";
import { SignupDetail } from "./SignupDetail";
import { SignupForm } from "./SignupForm";

const MEMBERS_PAGE = 50;

export function GroupDrawer({ chatId, onClose }: { chatId: string | null; onClose: () => void }) {
  const t = useGroupsT();
  const api = useApi();
  const group = useQuery({
    queryKey: ["wecom", "groups", "detail", chatId ?? ""],
    queryFn: () => unwrap(api.GET("/v1/wecom/groups/{chat_id}", { params: { path: { chat_id: chatId ?? "" } } })),
    enabled: Boolean(chatId),
  });
  return (
    <Drawer
      open={Boolean(chatId)}
      onClose={onClose}
      title={group.data ? group.data.name || t("unnamed") : t("detail")}
      size="large"
      destroyOnHidden
      styles={{ wrapper: { maxWidth: "100vw" } }}
      closable={{ "aria-label": t("closeDetail") }}
    >
      {chatId && (
        <QueryState query={group}>
          {(data) => (
            <Flex vertical gap={24}>
              <GroupFacts group={data} />
              <section aria-labelledby="group-activity-title">
                <Typography.Title level={2} id="group-activity-title" style={{ fontSize: 16 }}>
                  {t("activity")}
                </Typography.Title>
                <ActivityChart chatId={data.chat_id} height={200} />
              </section>
              <Signups chatId={data.chat_id} />
              <Members chatId={data.chat_id} />
            </Flex>
          )}
        </QueryState>
      )}
    </Drawer>
  );
}

function GroupFacts({ group }: { group: Schemas["GroupView"] }) {
  const t = useGroupsT();
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, sm: 2 }}
      items={[
        { key: "owner", label: t("owner"), children: group.owner ?? t("none") },
        { key: "members", label: t("members"), children: group.member_count },
        { key: "status", label: t("status"), children: <ToneTag tone={group.status === "active" ? "success" : "neutral"}>{t(`status_${group.status}`)}</ToneTag> },
        { key: "created", label: t("createdAt"), children: formatTime(group.created_at) },
        { key: "admins", label: t("admins"), children: group.admins.length ? group.admins.join("、") : t("none") },
        { key: "synced", label: t("syncedAt"), children: formatTime(group.synced_at) },
        { key: "notice", label: t("notice"), children: group.notice || t("none"), span: "filled" },
      ]}
    />
  );
}

function Signups({ chatId }: { chatId: string }) {
  const t = useGroupsT();
  const api = useApi();
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const pages = useCursorPages(["wecom", "signups", chatId], (cursor) =>
    unwrap(api.GET("/v1/wecom/signups", { params: { query: { chat_id: chatId, cursor, limit: 20 } } })),
  );
  return (
    <section aria-labelledby="group-signups-title">
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 8 }}>
        <Typography.Title level={2} id="group-signups-title" style={{ fontSize: 16, margin: 0 }}>
          {t("signups")}
        </Typography.Title>
        <Can op="POST /v1/wecom/signups">
          <Button type="primary" onClick={() => setCreating(true)}>
            {t("newSignup")}
          </Button>
        </Can>
      </Flex>
      <PagedTable<Schemas["SignupView"]>
        pages={pages}
        rowKey="sheet_id"
        empty={<EmptyState description={t("noSignups")} />}
        scrollLabel={t("signupsScroller")}
        columns={[
          {
            title: t("signupTitle"),
            dataIndex: "title",
            key: "title",
            render: (title: string, sheet) => (
              <Button type="link" style={{ padding: 0 }} aria-label={t("viewSignup", { title })} onClick={() => setOpen(sheet.sheet_id)}>
                {title}
              </Button>
            ),
          },
          { title: t("taken"), key: "taken", render: (_: unknown, sheet) => `${sheet.taken} / ${sheet.capacity}` },
          { title: t("deadline"), dataIndex: "deadline", key: "deadline", render: formatTime },
          { title: t("status"), key: "open", render: (_: unknown, sheet) => (sheet.open ? <ToneTag tone="success">{t("signupOpen")}</ToneTag> : <ToneTag tone="neutral">{t("signupClosed")}</ToneTag>) },
        ]}
      />
      <SignupForm
        chatId={chatId}
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(sheet) => {
          setCreating(false);
          setOpen(sheet.sheet_id);
        }}
      />
      <SignupDetail sheetId={open} onClose={() => setOpen(null)} />
    </section>
  );
}

function Members({ chatId }: { chatId: string }) {
  const t = useGroupsT();
  const api = useApi();
  const pages = useCursorPages(["wecom", "groups", "members", chatId], (cursor) =>
    unwrap(api.GET("/v1/wecom/groups/{chat_id}/members", { params: { path: { chat_id: chatId }, query: { cursor, limit: MEMBERS_PAGE } } })),
  );
  return (
    <section aria-labelledby="group-members-title">
      <Typography.Title level={2} id="group-members-title" style={{ fontSize: 16 }}>
        {t("memberList")}
      </Typography.Title>
      <PagedTable<Schemas["GroupMemberView"]>
        pages={pages}
        rowKey="userid"
        empty={<EmptyState description={t("noMembers")} />}
        scrollLabel={t("membersScroller")}
        columns={[
          { title: t("memberName"), key: "name", render: (_: unknown, m) => m.name || m.group_nickname || m.userid },
          { title: t("memberType"), key: "type", render: (_: unknown, m) => t(`type_${m.type ?? "unknown"}`) },
          { title: t("memberId"), dataIndex: "userid", key: "userid" },
          { title: t("joinScene"), key: "scene", render: (_: unknown, m) => (m.join_scene && m.join_scene >= 1 && m.join_scene <= 3 ? t(`scene_${m.join_scene as 1 | 2 | 3}`) : t("none")) },
          { title: t("joinedAt"), dataIndex: "joined_at", key: "joined", render: formatTime },
        ]}
      />
    </section>
  );
}
