// A segment's bulk actions, each a job followed on the page: export its members to CSV (then the
// file's download), and bulk tagging (tag, add or remove, confirmed with the member count; then
// the counts tagged/unchanged/failed and the failures). Shown only to the roles that may.
import { ExportOutlined, TagsOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Flex, Form, Input, Radio, Row, Statistic, Table, Typography } from "antd";
import { useCallback, useId, useState, type ReactNode } from "react";
import { Link } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { Can, useApi, useCan } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { JobProgress } from "../../components/JobProgress";
import { useCommonT } from "../../components/messages";
import { problemText } from "../../components/problems";
import type { Job } from "../../components/useJob";
import { BULK_TAG_COUNTS, bulkTagResult } from "./bulkTagResult";
import { useSegmentsT } from "./messages";
import { SEGMENTS_KEY } from "./SegmentForm";

type Segment = Schemas["SegmentView"];
type Action = "add" | "remove";

export function SegmentActions({ segment }: { segment: Segment }) {
  const t = useSegmentsT();
  const [tagging, setTagging] = useState(false);
  const [exportJob, setExportJob] = useState<string | null>(null);
  const api = useApi();
  const exporting = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/segments/{segment_id}/exports", { params: { path: { segment_id: segment.segment_id } } })),
    onSuccess: (job) => setExportJob(job.job_id),
  });
  const can = useCan();
  if (!can("POST /v1/segments/{segment_id}/exports") && !can("POST /v1/contacts/bulk-tags")) return null;
  return (
    <Flex vertical gap={12} style={{ marginBottom: 12 }}>
      <Flex gap={8} wrap>
        <Can op="POST /v1/segments/{segment_id}/exports">
          <Button icon={<ExportOutlined />} loading={exporting.isPending} onClick={() => exporting.mutate()}>
            {t("exportCsv")}
          </Button>
        </Can>
        <Can op="POST /v1/contacts/bulk-tags">
          <Button icon={<TagsOutlined />} aria-expanded={tagging} onClick={() => setTagging((open) => !open)}>
            {t("bulkTag")}
          </Button>
        </Can>
      </Flex>
      {exporting.isError && <Alert type="error" showIcon role="alert" title={problemText(exporting.error)} />}
      {exportJob && (
        <Panel title={t("exportCsvTitle")} onClose={() => setExportJob(null)}>
          <JobProgress jobId={exportJob} renderResult={(job) => <Typography.Text>{t("exportRows", { rows: Number(job.result.rows ?? 0) })}</Typography.Text>} />
        </Panel>
      )}
      {tagging && <BulkTag segment={segment} onClose={() => setTagging(false)} />}
    </Flex>
  );
}

function Panel({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const t = useSegmentsT();
  const id = useId();
  return (
    <Card
      size="small"
      role="region"
      aria-labelledby={id}
      title={
        <Typography.Title level={3} id={id} style={{ fontSize: 16, margin: 0 }}>
          {title}
        </Typography.Title>
      }
      extra={<Button size="small" onClick={onClose}>{t("close")}</Button>}
    >
      {children}
    </Card>
  );
}

function BulkTag({ segment, onClose }: { segment: Segment; onClose: () => void }) {
  const t = useSegmentsT();
  const common = useCommonT();
  const api = useApi();
  const { modal } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ tag: string; action: Action }>();
  const problems = useProblemForm(form);
  const [jobId, setJobId] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: (values: { tag: string; action: Action }) =>
      unwrap(api.POST("/v1/contacts/bulk-tags", { body: { tag: values.tag, action: values.action, segment_id: segment.segment_id } })),
    onMutate: () => problems.clear(),
    onSuccess: (job) => setJobId(job.job_id),
    onError: problems.onError,
  });
  const confirm = (values: { tag: string; action: Action }) => {
    const tag = values.tag.trim();
    modal.confirm({
      title: t(`bulkTagConfirm_${values.action}`, { count: segment.count, tag }),
      okText: t("bulkTagConfirmOk"),
      cancelText: common("cancel"),
      onOk: () => run.mutate({ tag, action: values.action }),
    });
  };
  const finished = useCallback(() => void queryClient.invalidateQueries({ queryKey: SEGMENTS_KEY }), [queryClient]);
  return (
    <Panel title={t("bulkTagTitle")} onClose={onClose}>
      {jobId ? (
        <JobProgress jobId={jobId} onFinished={finished} renderResult={(job) => <BulkTagCounts job={job} />} />
      ) : (
        <Form form={form} layout="vertical" initialValues={{ action: "add" }} onFinish={confirm}>
          <Typography.Paragraph>{t("bulkTagHint")}</Typography.Paragraph>
          <FormProblems messages={problems.general} />
          <Form.Item name="tag" label={t("bulkTagTag")} rules={[{ required: true, whitespace: true, message: t("bulkTagTagRequired") }]}>
            <Input maxLength={64} autoComplete="off" />
          </Form.Item>
          <Form.Item name="action" label={t("bulkTagAction")}>
            <Radio.Group
              options={[
                { value: "add", label: t("bulkTagAdd") },
                { value: "remove", label: t("bulkTagRemove") },
              ]}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={run.isPending}>
            {t("bulkTagSubmit")}
          </Button>
        </Form>
      )}
    </Panel>
  );
}

function BulkTagCounts({ job }: { job: Job }) {
  const t = useSegmentsT();
  const { counts, failures } = bulkTagResult(job.result);
  return (
    <>
      <Row gutter={[16, 16]} data-testid="bulk-tag-counts">
        {BULK_TAG_COUNTS.map((key) => (
          <Col key={key} xs={8}>
            <Statistic title={t(key)} value={counts[key]} />
          </Col>
        ))}
      </Row>
      {failures.length > 0 && (
        <Table
          size="small"
          rowKey="contact_id"
          pagination={false}
          scroll={{ x: true }}
          title={() => t("failures")}
          dataSource={failures}
          columns={[
            { title: t("contact"), dataIndex: "contact_id", render: (id: string) => <Link to={`/contacts/${encodeURIComponent(id)}`}>{id}</Link> },
            { title: t("failureReason"), dataIndex: "reason" },
          ]}
        />
      )}
    </>
  );
}
