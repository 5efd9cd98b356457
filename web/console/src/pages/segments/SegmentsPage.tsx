// Segments (/console/segments?segment=…): every segment with its live count and status (polled
// while the page is open), one segment's members and backfill, and the rule builder to create or
// edit one.
import { Col, Row, Table, Typography } from "antd";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { EditDrawer, type Editing } from "../../components/EditDrawer";
import { formatTime } from "../../components/format";
import { CreateButton, TitleBar } from "../../components/headings";
import { EmptyState, QueryState } from "../../components/QueryState";
import { useSegmentsT } from "./messages";
import { POLL_MS, SegmentDetail, StatusTag } from "./SegmentDetail";
import { SEGMENTS_KEY, SegmentForm } from "./SegmentForm";

type Segment = Schemas["SegmentView"];

export default function SegmentsPage() {
  const t = useSegmentsT();
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const selected = params.get("segment");
  const [editing, setEditing] = useState<Editing<Segment>>(null);
  const query = useQuery({ queryKey: SEGMENTS_KEY, queryFn: () => unwrap(api.GET("/v1/segments")), refetchInterval: POLL_MS });
  const select = (id: string | null) => setParams(id ? { segment: id } : {});
  return (
    <>
      <TitleBar
        title={t("title")}
        extra={
          <CreateButton op="POST /v1/segments" onClick={() => setEditing("new")}>
            {t("newSegment")}
          </CreateButton>
        }
      />
      <Typography.Paragraph>{t("hint")}</Typography.Paragraph>
      <Row gutter={[24, 24]}>
        <Col xs={24} xl={selected ? 12 : 24}>
          <QueryState query={query} isEmpty={(data) => data.items.length === 0} empty={<EmptyState description={t("empty")} />}>
            {(data) => (
              <Table
                rowKey="segment_id"
                pagination={false}
                scroll={{ x: true }}
                dataSource={data.items}
                columns={[
                  {
                    title: t("name"),
                    dataIndex: "name",
                    render: (name: string, segment: Segment) => (
                      <Link to={`/segments?segment=${encodeURIComponent(segment.segment_id)}`} aria-current={segment.segment_id === selected ? "true" : undefined} style={{ fontWeight: segment.segment_id === selected ? 600 : undefined }}>
                        {name}
                      </Link>
                    ),
                  },
                  { title: t("kind"), dataIndex: "kind", render: (kind: Segment["kind"]) => t(`kind_${kind}`) },
                  { title: t("count"), dataIndex: "count", align: "right" },
                  { title: t("status"), dataIndex: "status", render: (status: Segment["status"]) => <StatusTag status={status} /> },
                  { title: t("updated"), dataIndex: "updated_at", render: (at: string) => formatTime(at), responsive: ["md"] },
                ]}
              />
            )}
          </QueryState>
        </Col>
        {selected && (
          <Col xs={24} xl={12}>
            <SegmentDetail key={selected} segmentId={selected} onEdit={(segment) => setEditing(segment)} onDeleted={() => select(null)} />
          </Col>
        )}
      </Row>
      <EditDrawer editing={editing} onClose={() => setEditing(null)} newTitle={t("newSegment")} editTitle={t("editSegment")}>
        {(item) => (
          <SegmentForm
            segment={item}
            onDone={(saved) => {
              setEditing(null);
              select(saved.segment_id);
            }}
          />
        )}
      </EditDrawer>
    </>
  );
}
