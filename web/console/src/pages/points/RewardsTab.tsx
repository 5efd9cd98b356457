// The rewards catalog: every reward with its cost, stock, per-member limit, validity window and
// whether it is offered; create (POST) and edit (PATCH) for those who may. Cursor pages.
import { App, Button, DatePicker, Flex, Form, Input, InputNumber, Switch } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { idempotencyKey, unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { EditDrawer, type Editing } from "../../components/EditDrawer";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { CreateButton, TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { useCommonT } from "../../components/messages";
import { usePointsT } from "./messages";

type Reward = Schemas["RewardView"];
interface RewardValues {
  name: string;
  description: string;
  cost: number | null;
  stock: number | null;
  per_member_limit: number | null;
  valid_from: Dayjs | null;
  valid_until: Dayjs | null;
  brand: string;
  active: boolean;
}

const PAGE = 20;

/** The form's values as the API's body (dates as RFC 3339, blanks as none). */
export function rewardBody(values: RewardValues): Schemas["RewardCreate"] {
  return {
    name: values.name,
    description: values.description ?? "",
    cost: values.cost as number,
    stock: values.stock ?? null,
    per_member_limit: values.per_member_limit ?? null,
    valid_from: values.valid_from ? values.valid_from.toISOString() : null,
    valid_until: values.valid_until ? values.valid_until.toISOString() : null,
    brand: values.brand?.trim() || null,
    active: values.active,
  };
}

export function RewardsTab() {
  const t = usePointsT();
  const common = useCommonT();
  const api = useApi();
  const can = useCan();
  const [editing, setEditing] = useState<Editing<Reward>>(null);
  const pages = useCursorPages(["rewards"], (cursor) => unwrap(api.GET("/v1/rewards", { params: { query: { cursor, limit: PAGE } } })));
  return (
    <>
      <TitleBar
        level={2}
        title={t("tab_rewards")}
        extra={
          <CreateButton op="POST /v1/rewards" onClick={() => setEditing("new")}>
            {t("newReward")}
          </CreateButton>
        } style={{ marginBottom: 16 }}
      />
      <PagedTable<Reward>
        pages={pages}
        rowKey="reward_id"
        size="large"
        empty={<EmptyState />}
        scrollLabel={t("rewardsScroller")}
        columns={[
          { title: t("rewardName"), dataIndex: "name" },
          { title: t("cost"), dataIndex: "cost", align: "right" },
          { title: t("stock"), dataIndex: "stock", align: "right", render: (stock: number | null) => stock ?? t("unlimited") },
          { title: t("redeemed"), dataIndex: "redeemed", align: "right" },
          { title: t("perMemberLimit"), dataIndex: "per_member_limit", align: "right", render: (limit: number | null) => limit ?? t("unlimited") },
          { title: t("window"), render: (_: unknown, r: Reward) => `${formatTime(r.valid_from)} ~ ${formatTime(r.valid_until)}` },
          { title: t("brand"), dataIndex: "brand", render: (brand: string | null) => brand ?? "—" },
          { title: t("status"), dataIndex: "active", render: (active: boolean) => (active ? <ToneTag tone="success">{t("active")}</ToneTag> : <ToneTag tone="neutral">{t("inactive")}</ToneTag>) },
          ...(can("PATCH /v1/rewards/{reward_id}")
            ? [{ title: common("actions"), render: (_: unknown, r: Reward) => <Button onClick={() => setEditing(r)} aria-label={`${common("edit")} ${r.name}`}>{common("edit")}</Button> }]
            : []),
        ]}
      />
      <EditDrawer editing={editing} onClose={() => setEditing(null)} newTitle={t("newReward")} editTitle={t("editReward")}>
        {(item) => <RewardForm reward={item} onDone={() => setEditing(null)} />}
      </EditDrawer>
    </>
  );
}

export function RewardForm({ reward, onDone }: { reward: Reward | null; onDone: () => void }) {
  const t = usePointsT();
  const common = useCommonT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<RewardValues>();
  const problems = useProblemForm(form);
  const [key] = useState(idempotencyKey);
  const save = useMutation({
    mutationFn: (body: Schemas["RewardCreate"]) =>
      reward
        ? unwrap(api.PATCH("/v1/rewards/{reward_id}", { params: { path: { reward_id: reward.reward_id } }, body }))
        : unwrap(api.POST("/v1/rewards", { body, headers: { "Idempotency-Key": key } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["rewards"] }),
  });
  const initial: RewardValues = reward
    ? {
        name: reward.name,
        description: reward.description,
        cost: reward.cost,
        stock: reward.stock,
        per_member_limit: reward.per_member_limit,
        valid_from: reward.valid_from ? dayjs(reward.valid_from) : null,
        valid_until: reward.valid_until ? dayjs(reward.valid_until) : null,
        brand: reward.brand ?? "",
        active: reward.active,
      }
    : { name: "", description: "", cost: null, stock: null, per_member_limit: null, valid_from: null, valid_until: null, brand: "", active: true };
  const onFinish = async (values: RewardValues) => {
    problems.clear();
    try {
      await save.mutateAsync(rewardBody(values));
      void message.success(common("saved"));
      onDone();
    } catch (error) {
      problems.onError(error);
    }
  };
  return (
    <Form form={form} layout="vertical" initialValues={initial} onFinish={onFinish}>
      <FormProblems messages={problems.general} />
      <Form.Item label={t("rewardName")} name="name">
        <Input />
      </Form.Item>
      <Form.Item label={t("description")} name="description">
        <Input.TextArea rows={3} />
      </Form.Item>
      <Flex gap={16} wrap>
        <Form.Item label={t("cost")} name="cost" extra={t("costHint")}>
          <InputNumber style={{ width: 160 }} />
        </Form.Item>
        <Form.Item label={t("stock")} name="stock" extra={t("stockHint")}>
          <InputNumber style={{ width: 160 }} />
        </Form.Item>
        <Form.Item label={t("perMemberLimit")} name="per_member_limit" extra={t("limitHint")}>
          <InputNumber style={{ width: 160 }} />
        </Form.Item>
      </Flex>
      <Flex gap={16} wrap>
        <Form.Item label={t("validFrom")} name="valid_from">
          <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" />
        </Form.Item>
        <Form.Item label={t("validUntil")} name="valid_until">
          <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" />
        </Form.Item>
      </Flex>
      <Flex gap={16} wrap>
        <Form.Item label={t("brand")} name="brand">
          <Input style={{ width: 200 }} />
        </Form.Item>
        <Form.Item label={t("offered")} name="active" valuePropName="checked">
          <Switch />
        </Form.Item>
      </Flex>
      <FormActions saving={save.isPending} onCancel={onDone} />
    </Form>
  );
}
