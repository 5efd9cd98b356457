// Tag groups (兴趣, 肤质, 会员等级 …): name, single choice, tags. Admins create, edit and delete.
import { App, Button, Flex, Form, Input, Popconfirm, Switch, Table, Tag, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { EditDrawer, type Editing } from "../../components/EditDrawer";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { CreateButton, TitleBar } from "../../components/headings";
import { useCommonT } from "../../components/messages";
import { EmptyState, QueryState } from "../../components/QueryState";
import { WordsInput } from "../../components/WordsInput";
import { useContactSettingsT } from "./contactSettingsMessages";

type Group = Schemas["TagGroup"];
const KEY = ["tag-groups"] as const;

export function TagGroupsTab() {
  const t = useContactSettingsT();
  const common = useCommonT();
  const api = useApi();
  const can = useCan();
  const { message } = App.useApp();
  const queries = useQueryClient();
  const query = useQuery({ queryKey: KEY, queryFn: () => unwrap(api.GET("/v1/tag-groups")) });
  const [editing, setEditing] = useState<Editing<Group>>(null);
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/v1/tag-groups/{group_id}", { params: { path: { group_id: id } } })),
    onSuccess: () => {
      void message.success(t("deleted"));
      void queries.invalidateQueries({ queryKey: KEY });
    },
  });
  const writes = can("PUT /v1/tag-groups/{group_id}") || can("DELETE /v1/tag-groups/{group_id}");
  return (
    <>
      <TitleBar level={2} title={t("tab_tagGroups")} extra={<CreateButton op="POST /v1/tag-groups" onClick={() => setEditing("new")}>{t("newTagGroup")}</CreateButton>} />
      <Typography.Paragraph>{t("tagGroupsHint")}</Typography.Paragraph>
      <QueryState query={query} isEmpty={(data) => data.items.length === 0} empty={<EmptyState description={t("noGroups")} />}>
        {(data) => (
          <Table
            rowKey="group_id"
            pagination={false}
            scroll={{ x: true }}
            dataSource={data.items}
            columns={[
              { title: t("groupName"), dataIndex: "name" },
              { title: t("singleChoice"), dataIndex: "single_choice", render: (single: boolean) => (single ? common("yes") : common("no")) },
              { title: t("tags"), dataIndex: "tags", render: (tags: string[]) => tags.map((tag) => <Tag key={tag}>{tag}</Tag>) },
              ...(writes
                ? [
                    {
                      title: common("actions"),
                      render: (_: unknown, group: Group) => (
                        <Flex gap={8}>
                          {can("PUT /v1/tag-groups/{group_id}") && <Button aria-label={`${common("edit")} ${group.name}`} onClick={() => setEditing(group)}>{common("edit")}</Button>}
                          {can("DELETE /v1/tag-groups/{group_id}") && (
                            <Popconfirm title={t("deleteConfirm", { name: group.name })} onConfirm={() => remove.mutate(group.group_id)} okText={common("delete")} cancelText={common("cancel")}>
                              <Button danger aria-label={`${common("delete")} ${group.name}`}>{common("delete")}</Button>
                            </Popconfirm>
                          )}
                        </Flex>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </QueryState>
      <EditDrawer editing={editing} onClose={() => setEditing(null)} newTitle={t("newTagGroup")} editTitle={t("editTagGroup")}>
        {(group) => <TagGroupForm group={group} onDone={() => setEditing(null)} />}
      </EditDrawer>
    </>
  );
}

function TagGroupForm({ group, onDone }: { group: Group | null; onDone: () => void }) {
  const t = useContactSettingsT();
  const common = useCommonT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Schemas["TagGroupWrite"]>();
  const problems = useProblemForm(form);
  const save = useMutation({
    mutationFn: (body: Schemas["TagGroupWrite"]) =>
      group
        ? unwrap(api.PUT("/v1/tag-groups/{group_id}", { params: { path: { group_id: group.group_id } }, body }))
        : unwrap(api.POST("/v1/tag-groups", { body })),
    onMutate: () => problems.clear(),
    onSuccess: () => {
      void message.success(common("saved"));
      void queries.invalidateQueries({ queryKey: KEY });
      onDone();
    },
    onError: problems.onError,
  });
  return (
    <Form form={form} layout="vertical" initialValues={group ?? { name: "", single_choice: false, tags: [] }} onFinish={(values) => save.mutate({ ...values, tags: values.tags ?? [] })}>
      <FormProblems messages={problems.general} />
      <Form.Item name="name" label={t("groupName")} rules={[{ required: true, message: t("required") }]}>
        <Input maxLength={50} />
      </Form.Item>
      <Form.Item name="single_choice" label={t("singleChoice")} valuePropName="checked">
        <Switch />
      </Form.Item>
      <Form.Item name="tags" label={t("tags")} extra={t("tagsHint")}>
        <WordsInput />
      </Form.Item>
      <FormActions saving={save.isPending} onCancel={onDone} />
    </Form>
  );
}
