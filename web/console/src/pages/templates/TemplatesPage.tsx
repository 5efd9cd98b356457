// Message templates (/console/templates): the list (a channel filter, cursor pages), the editor
// with its variable picker and preview in a drawer, delete; and the sending rules (caps, quiet
// hours, time zone) below, for the roles that may read them.
import { App, Button, Popconfirm, Select, Space, Tag, Typography } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { unwrap } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { EditDrawer, type Editing } from "../../components/EditDrawer";
import { formatTime } from "../../components/format";
import { CreateButton, TitleBar } from "../../components/headings";
import { useCommonT } from "../../components/messages";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState, ErrorState } from "../../components/QueryState";
import { CHANNELS, type Channel, type Template } from "./model";
import { useTemplatesT } from "./messages";
import { SendRulesSection } from "./SendRules";
import { TEMPLATES_KEY, TemplateEditor } from "./TemplateEditor";

const PAGE_SIZE = 20;

export default function TemplatesPage() {
  const t = useTemplatesT();
  const common = useCommonT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [channel, setChannel] = useState<Channel | "all">("all");
  const [editing, setEditing] = useState<Editing<Template>>(null);
  const pages = useCursorPages([...TEMPLATES_KEY, channel], (cursor) =>
    unwrap(api.GET("/v1/templates", { params: { query: { limit: PAGE_SIZE, cursor, channel: channel === "all" ? undefined : channel } } })),
  );
  const remove = useMutation({
    mutationFn: (template: Template) => unwrap(api.DELETE("/v1/templates/{template_id}", { params: { path: { template_id: template.template_id } } })),
    onSuccess: () => {
      void message.success(t("deleted"));
      void queries.invalidateQueries({ queryKey: TEMPLATES_KEY });
    },
  });

  return (
    <>
      <TitleBar
        title={t("title")}
        extra={
          <CreateButton op="POST /v1/templates" onClick={() => setEditing("new")}>
            {t("newTemplate")}
          </CreateButton>
        }
      />
      <Typography.Paragraph>{t("hint")}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 16 }}>
        <label htmlFor="template-channel-filter">{t("channelFilter")}</label>
        <Select
          id="template-channel-filter"
          style={{ width: 240 }}
          value={channel}
          onChange={setChannel}
          options={[{ value: "all", label: common("all") }, ...CHANNELS.map((value) => ({ value, label: t(`channel_${value}`) }))]}
        />
      </Space>
      {remove.isError && <ErrorState error={remove.error} />}
      <PagedTable<Template>
        pages={pages}
        rowKey="template_id"
        size="large"
        empty={<EmptyState description={t("empty")} />}
        scrollLabel={t("listScroller")}
        columns={[
          {
            title: t("name"),
            dataIndex: "name",
            render: (name: string, template: Template) => (
              <Button type="link" style={{ padding: 0, height: "auto", whiteSpace: "normal", textAlign: "left" }} onClick={() => setEditing(template)}>
                {name}
              </Button>
            ),
          },
          { title: t("channel"), dataIndex: "channel", render: (value: Channel) => t(`channel_${value}`) },
          {
            title: t("variables"),
            dataIndex: "variables",
            responsive: ["md"],
            render: (variables: string[]) => variables.map((variable) => <Tag key={variable}>{`{${variable}}`}</Tag>),
          },
          { title: t("version"), dataIndex: "version", align: "right", responsive: ["lg"] },
          { title: t("updated"), dataIndex: "updated_at", render: (at: string) => formatTime(at), responsive: ["md"] },
          {
            title: common("actions"),
            key: "actions",
            render: (_: unknown, template: Template) => (
              <Can op="DELETE /v1/templates/{template_id}">
                <Popconfirm title={t("deleteConfirm", { name: template.name })} okText={common("delete")} cancelText={common("cancel")} onConfirm={() => remove.mutateAsync(template)}>
                  <Button danger size="small" aria-label={`${t("deleteTemplate")} ${template.name}`}>
                    {common("delete")}
                  </Button>
                </Popconfirm>
              </Can>
            ),
          },
        ]}
      />
      <Can op="GET /v1/outreach/settings">
        <div style={{ marginTop: 24 }}>
          <SendRulesSection />
        </div>
      </Can>
      <EditDrawer editing={editing} onClose={() => setEditing(null)} newTitle={t("newTemplate")} editTitle={t("editTemplate")}>
        {(item) => <TemplateEditor template={item} onSaved={(saved) => setEditing(saved)} />}
      </EditDrawer>
    </>
  );
}
