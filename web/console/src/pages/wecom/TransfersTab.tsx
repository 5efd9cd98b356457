// 客户转移: start an in-service or departed transfer (all of a staff member's customers, or listed
// ones; a 422's field errors land on their fields), the transfers so far, and one transfer's
// progress and per-customer outcomes with their reasons in words — and, for a departed transfer, its
// customer groups' outcomes (a drawer).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Checkbox, Descriptions, Drawer, Form, Input, Radio, Select } from "antd";
import { useEffect, useState } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { FormProblems, useProblemForm } from "../../components/forms";
import { TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState, QueryState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { useWeComT } from "./messages";
import { GroupCounts, TransferGroups } from "./TransferGroups";
import { OUTCOME_TONES, TRANSFER_TONES, parseIds, reasonText } from "./view";

type Transfer = Schemas["TransferView"];
type Customer = Schemas["TransferCustomer"];
type Outcome = Customer["outcome"];
const OUTCOMES: Outcome[] = ["waiting", "succeeded", "failed", "skipped"];

interface TransferForm {
  from_staff: string;
  to_staff: string;
  which: "all" | "list";
  external_userids?: string;
  departed: boolean;
}

function Counts({ transfer }: { transfer: Transfer }) {
  const t = useWeComT();
  const { succeeded = 0, waiting = 0, skipped = 0, failed = 0, total = 0 } = transfer.counts;
  return <>{t("countsText", { succeeded, waiting, skipped, failed, total })}</>;
}

function NewTransfer() {
  const t = useWeComT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<TransferForm>();
  const problems = useProblemForm(form);
  const which = Form.useWatch("which", form);
  const start = useMutation({
    mutationFn: (values: TransferForm) =>
      unwrap(
        api.POST("/v1/wecom/transfers", {
          body: {
            from_staff: values.from_staff.trim(),
            to_staff: values.to_staff.trim(),
            departed: values.departed,
            ...(values.which === "all" ? { all: true } : { external_userids: parseIds(values.external_userids) }),
          },
        }),
      ),
    onSuccess: () => {
      void message.success(t("started"));
      form.resetFields();
      void queries.invalidateQueries({ queryKey: ["wecom", "transfers"] });
    },
    onError: problems.onError,
  });
  const required = [{ required: true, whitespace: true, message: t("required") }];
  return (
    <Card title={<TitleBar level={3} title={t("newTransfer")} />} style={{ marginBottom: 16 }}>
      <FormProblems messages={problems.general} />
      <Form<TransferForm>
        form={form}
        layout="vertical"
        initialValues={{ which: "all", departed: false }}
        onFinish={(values) => {
          problems.clear();
          start.mutate(values);
        }}
        style={{ maxWidth: 560 }}
      >
        <Form.Item name="from_staff" label={t("fromStaff")} rules={required}>
          <Input />
        </Form.Item>
        <Form.Item name="to_staff" label={t("toStaff")} rules={required}>
          <Input />
        </Form.Item>
        <Form.Item name="which" label={t("customersToMove")}>
          <Radio.Group
            options={[
              { value: "all", label: t("allCustomers") },
              { value: "list", label: t("someCustomers") },
            ]}
          />
        </Form.Item>
        {which === "list" && (
          <Form.Item name="external_userids" label={t("externalUserids")} rules={required}>
            <Input.TextArea rows={4} />
          </Form.Item>
        )}
        <Form.Item name="departed" valuePropName="checked">
          <Checkbox>{t("departed")}</Checkbox>
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={start.isPending}>
          {t("start")}
        </Button>
      </Form>
    </Card>
  );
}

function TransferDetail({ transferId, onClose }: { transferId: string | null; onClose: () => void }) {
  const t = useWeComT();
  const api = useApi();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const transfer = useQuery({
    queryKey: ["wecom", "transfers", "one", transferId],
    queryFn: () => unwrap(api.GET("/v1/wecom/transfers/{transfer_id}", { params: { path: { transfer_id: transferId ?? "" } } })),
    enabled: Boolean(transferId),
    refetchInterval: (query) => (query.state.data && (query.state.data.status === "done" || query.state.data.status === "failed") ? false : 2000),
  });
  const pages = useCursorPages(["wecom", "transfers", "customers", transferId ?? "", outcome ?? "", transfer.data?.updated_at ?? ""], (cursor) =>
    unwrap(api.GET("/v1/wecom/transfers/{transfer_id}/customers", { params: { path: { transfer_id: transferId ?? "" }, query: { outcome, cursor } } })),
  );
  const columns = [
    { title: t("externalUserid"), dataIndex: "external_userid" },
    { title: t("outcome"), dataIndex: "outcome", render: (o: Outcome) => <ToneTag tone={OUTCOME_TONES[o]}>{t(`outcome_${o}`)}</ToneTag> },
    { title: t("reason"), dataIndex: "reason", render: (reason: string | null | undefined) => reasonText(t, reason) },
    { title: t("batch"), dataIndex: "batch", render: (batch: number) => batch + 1 },
  ];
  return (
    <Drawer open={transferId !== null} onClose={onClose} title={t("transferDetail")} size="large" destroyOnHidden>
      {transferId && (
        <QueryState query={transfer}>
          {(current) => (
            <>
              <Descriptions column={1} size="small" style={{ marginBottom: 16 }}>
                <Descriptions.Item label={t("fromStaff")}>{current.from_staff}</Descriptions.Item>
                <Descriptions.Item label={t("toStaff")}>{current.to_staff}</Descriptions.Item>
                <Descriptions.Item label={t("kind")}>{t(current.departed ? "kind_departed" : "kind_service")}</Descriptions.Item>
                <Descriptions.Item label={t("status")}>
                  <ToneTag tone={TRANSFER_TONES[current.status]}>{t(`transferStatus_${current.status}`)}</ToneTag>
                </Descriptions.Item>
                <Descriptions.Item label={t("counts")}>
                  <Counts transfer={current} />
                </Descriptions.Item>
                {current.departed && (
                  <Descriptions.Item label={t("customerGroups")}>
                    <GroupCounts transfer={current} />
                  </Descriptions.Item>
                )}
                {current.error && <Descriptions.Item label={t("reason")}>{current.error}</Descriptions.Item>}
              </Descriptions>
              <TitleBar level={3} title={t("customer")} style={{ marginBottom: 8 }} />
              <Select
                aria-label={t("outcome")}
                allowClear
                placeholder={t("allOutcomes")}
                style={{ width: 180, marginBottom: 12 }}
                value={outcome}
                onChange={setOutcome}
                options={OUTCOMES.map((o) => ({ value: o, label: t(`outcome_${o}`) }))}
              />
              <PagedTable<Customer> pages={pages} rowKey="external_userid" columns={columns} empty={<EmptyState description={t("noCustomers")} />} scrollLabel={t("transferCustomersScroller")} />
              {current.departed && <TransferGroups transfer={current} />}
            </>
          )}
        </QueryState>
      )}
    </Drawer>
  );
}

export function TransfersTab() {
  const t = useWeComT();
  const api = useApi();
  const [open, setOpen] = useState<string | null>(null);
  const queries = useQueryClient();
  const pages = useCursorPages(["wecom", "transfers", "list"], (cursor) => unwrap(api.GET("/v1/wecom/transfers", { params: { query: { cursor } } })));
  // While a transfer on the page is still under way, its counts are read again every few seconds.
  const underway = pages.query.data?.items.some((item) => item.status === "sending" || item.status === "waiting") ?? false;
  useEffect(() => {
    if (!underway) return undefined;
    const timer = setInterval(() => void queries.invalidateQueries({ queryKey: ["wecom", "transfers", "list"] }), 5000);
    return () => clearInterval(timer);
  }, [underway, queries]);
  const columns = [
    { title: t("createdAt"), dataIndex: "created_at", render: formatTime },
    { title: t("fromStaff"), dataIndex: "from_staff" },
    { title: t("toStaff"), dataIndex: "to_staff" },
    { title: t("kind"), dataIndex: "departed", render: (departed: boolean) => t(departed ? "kind_departed" : "kind_service") },
    { title: t("customersToMove"), dataIndex: "selection", render: (s: Transfer["selection"]) => t(`selection_${s}`) },
    { title: t("status"), dataIndex: "status", render: (s: Transfer["status"]) => <ToneTag tone={TRANSFER_TONES[s]}>{t(`transferStatus_${s}`)}</ToneTag> },
    { title: t("counts"), key: "counts", render: (_: unknown, row: Transfer) => <Counts transfer={row} /> },
    {
      title: t("details"),
      key: "open",
      render: (_: unknown, row: Transfer) => (
        <Button size="small" onClick={() => setOpen(row.transfer_id)} aria-label={`${t("details")} ${row.from_staff} → ${row.to_staff}`}>
          {t("details")}
        </Button>
      ),
    },
  ];
  return (
    <>
      <TitleBar level={2} title={t("tab_transfers")} style={{ marginBottom: 16 }} />
      <Can op="POST /v1/wecom/transfers">
        <NewTransfer />
      </Can>
      <TitleBar level={3} title={t("transfers")} style={{ marginBottom: 8 }} />
      <PagedTable<Transfer> pages={pages} rowKey="transfer_id" columns={columns} empty={<EmptyState description={t("noTransfers")} />} scrollLabel={t("transfersScroller")} />
      <TransferDetail transferId={open} onClose={() => setOpen(null)} />
    </>
  );
}
