// A WeCom channel code's contact way (联系我), in a drawer: while WeCom makes it (the wecom service
// answers 404 until it has seen the code) a spinner, read again every moment; a refusal's reason;
// once ready WeCom's QR image and link, who takes the adds now, each member's adds today (at the
// limit: out of the rotation until tomorrow) and, for the roles that may, a new rotation.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Descriptions, Drawer, Flex, Form, InputNumber, Skeleton, Spin, Table, Typography } from "antd";
import { useState } from "react";
import { ApiError, unwrap } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { formatTime } from "../../components/format";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { TitleBar } from "../../components/headings";
import { ErrorState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { useCampaignsT } from "./messages";
import { WeComStaffInput } from "./WeComStaffInput";
import { WAY_TONES, qrImageUrl, rotationBody, wayPolling, wayStatus, type ContactWay } from "./wecomCode";

type StaffAdds = ContactWay["today"][number];

export function useContactWay(code: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["wecom", "contact-way", code],
    // 404: the wecom service has not seen the code yet — it is still being made.
    queryFn: () =>
      unwrap(api.GET("/v1/wecom/contact-ways/{code}", { params: { path: { code } } })).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),
    refetchInterval: (query) => (query.state.status === "error" ? false : wayPolling(query.state.data)),
    retry: 1,
    staleTime: 0, // today's adds move: each opening reads them again
  });
}

function WayQr({ way }: { way: ContactWay }) {
  const t = useCampaignsT();
  const [broken, setBroken] = useState(false);
  const src = qrImageUrl(way.qr_code);
  if (!src) return <Typography.Text>{t("wecomNoQr")}</Typography.Text>;
  return (
    <Flex vertical gap={8} align="flex-start">
      {broken ? (
        <Typography.Text>{t("qrFailed")}</Typography.Text>
      ) : (
        <img
          src={src}
          alt={t("wecomQrAlt", { code: way.code })}
          width={160}
          height={160}
          onError={() => setBroken(true)}
          style={{ display: "block", background: "#fff", border: "1px solid #d9d9d9" }}
        />
      )}
      <Typography.Link href={src} target="_blank" rel="noopener noreferrer">
        {t("wecomOpenQr")}
      </Typography.Link>
    </Flex>
  );
}

function Rotation({ way }: { way: ContactWay }) {
  const t = useCampaignsT();
  const api = useApi();
  const queries = useQueryClient();
  const [form] = Form.useForm<{ staff_ids: string[]; daily_add_limit: number | null }>();
  const problems = useProblemForm(form);
  const save = useMutation({
    mutationFn: (values: { staff_ids: string[]; daily_add_limit: number | null }) =>
      unwrap(api.PUT("/v1/wecom/contact-ways/{code}", { params: { path: { code: way.code } }, body: rotationBody(values) })),
    onMutate: () => problems.clear(),
    onSuccess: (changed) => {
      queries.setQueryData(["wecom", "contact-way", way.code], changed);
      form.setFieldsValue({ staff_ids: changed.staff_ids, daily_add_limit: changed.daily_add_limit });
    },
    onError: problems.onError,
  });
  const initial = { staff_ids: way.staff_ids, daily_add_limit: way.daily_add_limit };
  return (
    <section aria-labelledby="wecom-rotation-title">
      <TitleBar level={3} title={<span id="wecom-rotation-title">{t("wecomRotation")}</span>} style={{ marginBottom: 8 }} />
      <FormProblems messages={problems.general} />
      {save.isSuccess && !save.isPending && <Alert type="success" showIcon role="status" title={t("wecomRotationSaved")} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(values) => save.mutate(values)} style={{ maxWidth: 520 }}>
        <Form.Item
          name="staff_ids"
          label={t("wecomStaff")}
          extra={t("wecomStaffHelp")}
          rules={[{ validator: (_, ids: string[] | undefined) => (ids?.length ? Promise.resolve() : Promise.reject(new Error(t("wecomStaffRequired")))) }]}
        >
          <WeComStaffInput />
        </Form.Item>
        <Form.Item name="daily_add_limit" label={t("wecomDailyLimit")} extra={t("wecomDailyLimitHelp")}>
          <InputNumber min={1} max={10000} precision={0} style={{ width: 160 }} />
        </Form.Item>
        <FormActions saving={save.isPending} onReset={() => form.setFieldsValue(initial)} />
      </Form>
    </section>
  );
}

function Ready({ way }: { way: ContactWay }) {
  const t = useCampaignsT();
  const canChange = useCan()("PUT /v1/wecom/contact-ways/{code}");
  const columns = [
    { title: t("staff"), dataIndex: "staff_id", key: "staff" },
    { title: t("wecomAddsToday"), dataIndex: "adds", key: "adds" },
    {
      title: t("wecomServing"),
      key: "full",
      render: (_: unknown, row: StaffAdds) =>
        row.full ? <ToneTag tone="warning">{t("wecomFull")}</ToneTag> : way.serving.includes(row.staff_id) ? <ToneTag tone="success">{t("wecomServingNow")}</ToneTag> : "—",
    },
  ];
  return (
    <Flex vertical gap={16}>
      <WayQr way={way} />
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t("wecomServing")}>
          {way.serving.length ? way.serving.map((id) => <ToneTag key={id} tone="success">{id}</ToneTag>) : <Typography.Text>{t("wecomNobodyServing")}</Typography.Text>}
        </Descriptions.Item>
        <Descriptions.Item label={t("wecomDailyLimit")}>{way.daily_add_limit ?? t("wecomNoLimit")}</Descriptions.Item>
        <Descriptions.Item label={t("wecomConfigId")}>
          <span style={{ wordBreak: "break-all" }}>{way.config_id ?? "—"}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("updatedAt")}>{formatTime(way.updated_at)}</Descriptions.Item>
      </Descriptions>
      <section aria-labelledby="wecom-today-title">
        <TitleBar level={3} title={<span id="wecom-today-title">{t("wecomToday", { day: way.day })}</span>} style={{ marginBottom: 8 }} />
        <Table<StaffAdds>
          rowKey="staff_id"
          dataSource={way.today}
          columns={columns}
          pagination={false}
          size="small"
          scroll={{ x: "max-content" }}
          locale={{ emptyText: t("wecomNoAdds") }}
        />
      </section>
      {canChange && <Rotation way={way} />}
    </Flex>
  );
}

export function ContactWayPanel({ code }: { code: string }) {
  const t = useCampaignsT();
  const way = useContactWay(code);
  if (way.isPending) return <Skeleton active aria-label={t("wecomCreating")} />;
  if (way.isError) return <ErrorState error={way.error} onRetry={() => void way.refetch()} />;
  const status = wayStatus(way.data);
  return (
    <Flex vertical gap={16}>
      <div>
        <ToneTag tone={WAY_TONES[status]}>{t(`wecomStatus_${status}`)}</ToneTag>
      </div>
      {status === "creating" && (
        <Flex gap={12} align="center" role="status">
          <Spin />
          <Typography.Text>{t("wecomCreating")}</Typography.Text>
        </Flex>
      )}
      {status === "failed" && way.data && <Alert type="error" showIcon role="alert" title={t("wecomFailed")} description={way.data.failure ?? "—"} />}
      {status === "ready" && way.data && <Ready way={way.data} />}
    </Flex>
  );
}

export function ContactWayDrawer({ code, onClose }: { code: string | null; onClose: () => void }) {
  const t = useCampaignsT();
  return (
    <Drawer open={code !== null} onClose={onClose} title={code ? t("wecomWayOf", { code }) : t("wecomWay")} size="large" destroyOnHidden>
      {code && <ContactWayPanel code={code} />}
    </Drawer>
  );
}
