// Import wizard (/console/imports?job=…): choose a CSV → create the import → PUT the file to its
// upload URL → start → the job's progress (polled) → result counts and row errors; past imports.
import { DownloadOutlined, UploadOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Col, Flex, Progress, Row, Statistic, Steps, Table, Typography } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { ApiError, asProblem, unwrap, type Schemas } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { CursorPager, useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { problemText } from "../../components/problems";
import { EmptyState, QueryState } from "../../components/QueryState";
import { useJob } from "../../components/useJob";
import { useImportsT } from "./messages";
import { RESULT_KEYS, resultCounts, SAMPLE_CSV, TERMINAL } from "./sample";

type Job = Schemas["JobView"];
const POLL_MS = 1000;

export default function ImportsPage() {
  const t = useImportsT();
  const [params, setParams] = useSearchParams();
  const jobId = params.get("job");
  return (
    <>
      <TitleBar title={t("title")} />
      <Row gutter={[24, 24]} style={{ marginTop: 16 }}>
        <Col xs={24} lg={14}>
          <Can op="POST /v1/contacts/imports">
            {jobId ? (
              <JobCard jobId={jobId} onNew={() => setParams({})} />
            ) : (
              <UploadCard onStarted={(id) => setParams({ job: id })} />
            )}
          </Can>
        </Col>
        <Col xs={24} lg={10}>
          <FormatCard />
        </Col>
        <Col span={24}>
          <PastImports onOpen={(id) => setParams({ job: id })} />
        </Col>
      </Row>
    </>
  );
}

function FormatCard() {
  const t = useImportsT();
  const download = () => {
    const url = URL.createObjectURL(new Blob(["\uFEFF", SAMPLE_CSV, "\n"], { type: "text/csv;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "contacts-sample.csv";
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Card title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t("formatTitle")}</Typography.Title>}>
      <Typography.Paragraph>{t("formatHint")}</Typography.Paragraph>
      <pre style={{ background: "#f5f5f5", padding: 8, whiteSpace: "pre-wrap", wordBreak: "break-all", fontSize: 12 }}>{SAMPLE_CSV}</pre>
      <Button icon={<DownloadOutlined />} onClick={download}>
        {t("sample")}
      </Button>
    </Card>
  );
}

function UploadCard({ onStarted }: { onStarted: (jobId: string) => void }) {
  const t = useImportsT();
  const api = useApi();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [step, setStep] = useState(0);
  const run = useMutation({
    mutationFn: async (chosen: File) => {
      setStep(1);
      const created = await unwrap(api.POST("/v1/contacts/imports", { body: { file_name: chosen.name } }));
      const put = await fetch(created.upload_url, { method: "PUT", body: chosen });
      if (!put.ok) throw new ApiError(asProblem(put.status, null, t("uploadFailed", { status: put.status })));
      await unwrap(api.POST("/v1/contacts/imports/{job_id}/start", { params: { path: { job_id: created.job.job_id } } }));
      return created.job.job_id;
    },
    onSuccess: (jobId) => {
      void queryClient.invalidateQueries({ queryKey: ["jobs", "contacts_import"] });
      onStarted(jobId);
    },
    onError: () => setStep(0),
  });
  return (
    <Card>
      <Steps size="small" current={step} items={[{ title: t("step_choose") }, { title: t("step_upload") }, { title: t("step_process") }, { title: t("step_done") }]} style={{ marginBottom: 16 }} />
      <Flex vertical gap={12} align="flex-start">
        <Button icon={<UploadOutlined />} onClick={() => input.current?.click()}>
          {t("chooseFile")}
        </Button>
        <input
          id="import-file"
          ref={input}
          type="file"
          accept=".csv,text/csv"
          aria-label={t("chooseFile")}
          tabIndex={-1}
          style={{ position: "absolute", width: 1, height: 1, opacity: 0, pointerEvents: "none" }}
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        />
        {file && <Typography.Text>{t("fileChosen", { name: file.name })}</Typography.Text>}
        {run.isError && <Alert type="error" showIcon role="alert" title={problemText(run.error)} />}
        <Button type="primary" disabled={!file} loading={run.isPending} onClick={() => file && run.mutate(file)}>
          {t("start")}
        </Button>
      </Flex>
    </Card>
  );
}

function JobCard({ jobId, onNew }: { jobId: string; onNew: () => void }) {
  const t = useImportsT();
  const job = useJob(jobId, POLL_MS);
  const queryClient = useQueryClient();
  const finished = job.data ? TERMINAL.has(job.data.status) : false;
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: ["jobs", "contacts_import"] });
  }, [finished, queryClient]);
  return (
    <Card>
      <QueryState query={job}>
        {(data) => {
          const done = TERMINAL.has(data.status);
          const { total, done: processed, failed } = data.progress;
          const counts = resultCounts(data.result);
          return (
            <>
              <Steps size="small" current={done ? 3 : 2} status={data.status === "failed" ? "error" : undefined} items={[{ title: t("step_choose") }, { title: t("step_upload") }, { title: t("step_process") }, { title: t("step_done") }]} style={{ marginBottom: 16 }} />
              <TitleBar level={2} title={`${t("job")} · ${String(data.params.file_name ?? data.job_id)}`} extra={<Button onClick={onNew}>{t("newImport")}</Button>} />
              <p>
                {t("status")}: <strong data-testid="import-status">{t(`status_${data.status}`)}</strong>
              </p>
              {data.error && <Alert type="error" showIcon title={data.error} style={{ marginBottom: 12 }} />}
              <span id="import-progress">{t("progressText", { done: processed, total: total ?? "?", failed })}</span>
              <Progress aria-labelledby="import-progress" percent={total ? Math.round((processed / total) * 100) : done ? 100 : 0} status={done ? (data.status === "succeeded" ? "success" : "exception") : "active"} />
              {done && (
                <Row gutter={[16, 16]} style={{ margin: "16px 0" }}>
                  {RESULT_KEYS.map((key) => (
                    <Col key={key} xs={8} md={4}>
                      <Statistic title={t(key)} value={counts[key]} />
                    </Col>
                  ))}
                </Row>
              )}
              {done && <RowErrors jobId={jobId} />}
            </>
          );
        }}
      </QueryState>
    </Card>
  );
}

function RowErrors({ jobId }: { jobId: string }) {
  const t = useImportsT();
  const api = useApi();
  const pages = useCursorPages(["imports", jobId, "errors"], (cursor) =>
    unwrap(api.GET("/v1/contacts/imports/{job_id}/errors", { params: { path: { job_id: jobId }, query: { cursor, limit: 50 } } })),
  );
  return (
    <>
      <TitleBar level={3} title={t("rowErrors")} />
      <QueryState query={pages.query} isEmpty={(data) => data.items.length === 0} empty={<p>{t("noRowErrors")}</p>}>
        {(data) => (
          <Table
            size="small"
            rowKey={(item) => `${item.row}-${item.column}`}
            pagination={false}
            scroll={{ x: true }}
            dataSource={data.items.flatMap((error) => error.errors.map((problem) => ({ row: error.row, column: problem.loc.join("."), message: problem.msg })))}
            columns={[
              { title: t("row"), dataIndex: "row" },
              { title: t("column"), dataIndex: "column" },
              { title: t("message"), dataIndex: "message" },
            ]}
          />
        )}
      </QueryState>
      <CursorPager pages={pages} />
    </>
  );
}

function PastImports({ onOpen }: { onOpen: (jobId: string) => void }) {
  const t = useImportsT();
  const api = useApi();
  const pages = useCursorPages(["jobs", "contacts_import"], (cursor) => unwrap(api.GET("/v1/jobs", { params: { query: { kind: "contacts_import", cursor, limit: 20 } } })));
  return (
    <section aria-labelledby="past-imports">
      <Typography.Title level={2} id="past-imports" style={{ fontSize: 20 }}>
        {t("past")}
      </Typography.Title>
      <PagedTable<Job>
        pages={pages}
        rowKey="job_id"
        empty={<EmptyState description={t("noPast")} />}
        scrollLabel={t("pastScroller")}
        columns={[
          { title: t("file"), render: (_: unknown, job) => <Button type="link" style={{ padding: 0 }} onClick={() => onOpen(job.job_id)}>{String(job.params.file_name ?? job.job_id)}</Button> },
          { title: t("status"), dataIndex: "status", render: (status: Job["status"]) => t(`status_${status}`) },
          { title: t("createdAt"), dataIndex: "created_at", render: (at: string) => formatTime(at) },
          ...RESULT_KEYS.map((key) => ({ title: t(key), render: (_: unknown, job: Job) => resultCounts(job.result)[key], responsive: ["md" as const] })),
        ]}
      />
    </section>
  );
}
