// A contact's lead score: today's score and grade, the tenant's half-life, and the contributions
// that make it (rule, fact type, time, points then and what they are worth now), a page at a time.
import { Col, Row, Statistic, Table, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { CursorPager, useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { EmptyState, QueryState } from "../../components/QueryState";
import { ToneTag, type Tone } from "../../components/Tone";
import { typeLabel } from "./ContactTimeline";
import { signed } from "./facts";
import { ScrollBox } from "./ScrollBox";
import { useInsightT } from "./insightMessages";

const PAGE = 10;

const GRADE_TONE: Record<Schemas["ScoreView"]["grade"], Tone> = { A: "success", B: "info", C: "note", D: "neutral" };

type Contribution = Schemas["Contribution"];

export function ContactScore({ contactId }: { contactId: string }) {
  const t = useInsightT();
  const api = useApi();
  const pages = useCursorPages(["contact", contactId, "score"], (cursor) =>
    unwrap(
      api.GET("/v1/contacts/{contact_id}/score", {
        params: { path: { contact_id: contactId }, query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
      }),
    ).then((view) => ({ ...view, items: view.contributions })),
  );
  const columns: ColumnsType<Contribution> = [
    { title: t("colRule"), key: "rule", render: (_, item) => item.rule_name },
    { title: t("colFactType"), key: "type", render: (_, item) => typeLabel(t, item.type) },
    { title: t("colAt"), key: "at", render: (_, item) => formatTime(item.occurred_at) },
    { title: t("colPoints"), key: "points", align: "right", render: (_, item) => signed(item.points) },
    { title: t("colPointsNow"), key: "now", align: "right", render: (_, item) => item.points_now.toFixed(1) },
  ];
  return (
    <QueryState query={pages.query}>
      {(page) => {
        // The page is the score view itself, its contributions as the cursor page's items.
        const view = page as Schemas["ScoreView"] & typeof page;
        return (
          <>
            <Row gutter={[16, 16]}>
              <Col xs={8}>
                <Statistic title={t("score")} value={view.score} />
              </Col>
              <Col xs={8}>
                <Typography.Text type="secondary">{t("grade")}</Typography.Text>
                <div style={{ fontSize: 20, marginTop: 4 }}>
                  <ToneTag tone={GRADE_TONE[view.grade] ?? "neutral"}>{view.grade}</ToneTag>
                </div>
              </Col>
              <Col xs={8}>
                <Statistic title={t("halfLife")} value={view.half_life_days ? t("halfLifeDays", { days: view.half_life_days }) : t("noDecay")} />
              </Col>
            </Row>
            <Typography.Title level={3} style={{ fontSize: 15, marginTop: 20 }}>
              {t("contributions")}
            </Typography.Title>
            {view.contributions.length === 0 && !pages.hasPrevious ? (
              <EmptyState description={t("noContributions")} />
            ) : (
              <ScrollBox label={t("contributions")}>
                <Table<Contribution>
                  rowKey={(item) => `${item.rule_id}:${item.event_id}`}
                  dataSource={view.contributions}
                  columns={columns}
                  pagination={false}
                  size="small"
                  loading={pages.query.isFetching && pages.query.isPlaceholderData}
                />
              </ScrollBox>
            )}
            <CursorPager pages={pages} />
          </>
        );
      }}
    </QueryState>
  );
}
