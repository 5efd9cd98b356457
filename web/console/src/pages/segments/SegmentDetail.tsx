// One segment: its live count and status, the backfill job's progress while it backfills, its
// export to CSV and bulk tagging (SegmentActions), its members (cursor pages, each a link to the
// contact), a static segment's add/remove, edit and delete.
import { App, Button, Descriptions, Flex, Form, Input, Popconfirm, Progress } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { FormProblems, useProblemForm } from "../../components/forms";
import { TitleBar } from "../../components/headings";
import { useCommonT } from "../../components/messages";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState, QueryState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { jobPercent, useJob } from "../../components/useJob";
import { useSegmentsT } from "./messages";
import { SegmentActions } from "./SegmentActions";
import { parseIds, SEGMENTS_KEY } from "./SegmentForm";

type Segment = Schemas["SegmentView"];
export const POLL_MS = 2000;

export function StatusTag({ status }: { status: Segment["status"] }) {
  const t = useSegmentsT();
  return <ToneTag tone={status === "ready" ? "success" : "info"}>{t(`status_${status}`)}</ToneTag>;
}

export function SegmentDetail({ segmentId, onEdit, onDeleted }: { segmentId: string; onEdit: (segment: Segment) => void; onDeleted: () => void }) {
  const t = useSegmentsT();
  const common = useCommonT();
  const api = useApi();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: [...SEGMENTS_KEY, segmentId],
    queryFn: () => unwrap(api.GET("/v1/segments/{segment_id}", { params: { path: { segment_id: segmentId } } })),
    refetchInterval: POLL_MS,
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/segments/{segment_id}", { params: { path: { segment_id: segmentId } } })),
    onSuccess: () => {
      void message.success(t("deleted"));
      void queryClient.invalidateQueries({ queryKey: SEGMENTS_KEY });
      onDeleted();
    },
    onError: (error) => void message.error(String(error)),
  });
  return (
    <QueryState query={query}>
      {(segment) => (
        <section aria-label={segment.name}>
          <TitleBar
            level={2}
            title={segment.name}
            extra={
              <Flex gap={8} wrap>
                <Can op="PUT /v1/segments/{segment_id}">
                  <Button onClick={() => onEdit(segment)}>{common("edit")}</Button>
                </Can>
                <Can op="DELETE /v1/segments/{segment_id}">
                  <Popconfirm title={t("deleteConfirm", { name: segment.name })} onConfirm={() => remove.mutate()} okText={common("delete")} cancelText={common("cancel")}>
                    <Button danger loading={remove.isPending}>
                      {t("deleteSegment")}
                    </Button>
                  </Popconfirm>
                </Can>
              </Flex>
            }
          />
          <Descriptions
            size="small"
            column={{ xs: 1, md: 3 }}
            style={{ margin: "12px 0" }}
            items={[
              { key: "count", label: t("count"), children: <span data-testid="segment-count" aria-live="polite">{segment.count}</span> },
              { key: "status", label: t("status"), children: <StatusTag status={segment.status} /> },
              { key: "kind", label: t("kind"), children: t(`kind_${segment.kind}`) },
              ...(segment.description ? [{ key: "description", label: t("description"), children: segment.description }] : []),
            ]}
          />
          <SegmentActions segment={segment} />
          {segment.status === "backfilling" && segment.backfill_job_id && <BackfillProgress jobId={segment.backfill_job_id} />}
          {segment.kind === "static" && (
            <Can op="POST /v1/segments/{segment_id}/members">
              <StaticMembersForm segmentId={segment.segment_id} />
            </Can>
          )}
          <Members segmentId={segment.segment_id} version={`${segment.count}-${segment.version}`} />
        </section>
      )}
    </QueryState>
  );
}

function BackfillProgress({ jobId }: { jobId: string }) {
  const t = useSegmentsT();
  const job = useJob(jobId, POLL_MS);
  const percent = job.data ? jobPercent(job.data) : 0;
  return (
    <div style={{ marginBottom: 12 }}>
      <span id={`backfill-${jobId}`}>{t("backfill")}</span>
      <Progress percent={percent} status="active" aria-labelledby={`backfill-${jobId}`} />
    </div>
  );
}

function StaticMembersForm({ segmentId }: { segmentId: string }) {
  const t = useSegmentsT();
  const api = useApi();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ ids: string }>();
  const problems = useProblemForm(form);
  const change = useMutation({
    mutationFn: ({ ids, add }: { ids: string[]; add: boolean }) =>
      unwrap(api.POST("/v1/segments/{segment_id}/members", { params: { path: { segment_id: segmentId } }, body: add ? { add: ids } : { remove: ids } })),
    onMutate: () => problems.clear(),
    onSuccess: () => {
      form.resetFields();
      void queryClient.invalidateQueries({ queryKey: SEGMENTS_KEY });
    },
    onError: problems.onError,
  });
  const submit = (add: boolean) => {
    const ids = parseIds(form.getFieldValue("ids") ?? "");
    if (ids.length) change.mutate({ ids, add });
  };
  return (
    <Form form={form} layout="vertical" style={{ marginBottom: 12 }}>
      <FormProblems messages={problems.general} />
      <Form.Item name="ids" label={t("membersIds")}>
        <Input.TextArea rows={2} />
      </Form.Item>
      <Flex gap={8}>
        <Button onClick={() => submit(true)} loading={change.isPending}>
          {t("addMembers")}
        </Button>
        <Button onClick={() => submit(false)} loading={change.isPending}>
          {t("removeMembers")}
        </Button>
      </Flex>
    </Form>
  );
}

function Members({ segmentId, version }: { segmentId: string; version: string }) {
  const t = useSegmentsT();
  const api = useApi();
  const pages = useCursorPages([...SEGMENTS_KEY, segmentId, "members", version], (cursor) =>
    unwrap(api.GET("/v1/segments/{segment_id}/members", { params: { path: { segment_id: segmentId }, query: { cursor, limit: 20 } } })),
  );
  return (
    <>
      <TitleBar level={3} title={t("members")} />
      <PagedTable<Schemas["SegmentMember"]>
        pages={pages}
        rowKey="contact_id"
        empty={<EmptyState description={t("noMembers")} />}
        scrollLabel={t("membersScroller")}
        columns={[
          { title: t("contact"), dataIndex: "contact_id", render: (id: string) => <Link to={`/contacts/${id}`}>{id}</Link> },
          { title: t("enteredAt"), dataIndex: "entered_at", render: (at: string) => formatTime(at) },
        ]}
      />
    </>
  );
}
