// The campaign's funnel: totals, then scans → scanners → new / known contacts converted per code,
// channel or staff member as a chart with its figures as text.
import { useQuery } from "@tanstack/react-query";
import { Col, Row, Segmented, Space, Statistic } from "antd";
import { useMemo, useState } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { EmptyState, QueryState } from "../../components/QueryState";
import { Chart, type ChartOption } from "../dashboard/Chart";
import { percent } from "../dashboard/data";
import { conversionRate, DIMENSIONS, funnelRows, STAGES, type Dimension, type FunnelRow } from "./funnel";
import { useCampaignsT } from "./messages";

type T = ReturnType<typeof useCampaignsT>;

function stageLabels(t: T): Record<(typeof STAGES)[number], string> {
  return { scans: t("scans"), unique_scanners: t("uniqueScanners"), acquired: t("acquired"), engaged: t("engaged") };
}

function funnelOption(rows: FunnelRow[], labels: Record<(typeof STAGES)[number], string>): ChartOption {
  return {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, textStyle: { color: "#333" } },
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1, axisLabel: { color: "#444" } },
    yAxis: { type: "category", inverse: true, data: rows.map((row) => row.label), axisLabel: { color: "#444", width: 180, overflow: "truncate" } },
    series: STAGES.map((stage) => ({ type: "bar", name: labels[stage], data: rows.map((row) => row[stage]), barMaxWidth: 14 })),
  };
}

function Funnel({ stats, initialBy }: { stats: Schemas["CampaignStats"]; initialBy: Dimension }) {
  const t = useCampaignsT();
  const [by, setBy] = useState<Dimension>(initialBy);
  const labels = useMemo(() => stageLabels(t), [t]);
  const rows = useMemo(() => funnelRows(stats, by, t("noStaff")), [stats, by, t]);
  const option = useMemo(() => funnelOption(rows, labels), [rows, labels]);
  const byText = t(`by_${by}`);
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <Row gutter={[16, 16]}>
        {STAGES.map((stage) => (
          <Col key={stage} xs={12} md={5}>
            <Statistic title={labels[stage]} value={stats[stage]} />
          </Col>
        ))}
        <Col xs={12} md={4}>
          <Statistic title={t("conversionRate")} value={percent(conversionRate(stats)) ?? "—"} />
        </Col>
      </Row>
      <Segmented<Dimension>
        aria-label={t("by")}
        value={by}
        onChange={setBy}
        options={DIMENSIONS.map((value) => ({ value, label: t(`by_${value}`) }))}
      />
      {rows.length === 0 || stats.scans === 0 ? (
        <EmptyState description={stats.scans === 0 ? t("noScans") : t("noScansBy", { by: byText })} />
      ) : (
        <Chart
          option={option}
          height={Math.max(160, rows.length * 64 + 48)}
          label={t("funnelChart", { by: byText })}
          summary={
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {rows.map((row) => (
                <li key={row.key}>
                  {t("funnelSummary", { label: row.label, scans: row.scans, unique: row.unique_scanners, acquired: row.acquired, engaged: row.engaged })}
                </li>
              ))}
            </ul>
          }
        />
      )}
    </Space>
  );
}

/** A referral program's scans come through members' invite links, not staff codes: it opens by channel. */
export function FunnelSection({ campaignId, initialBy = "code" }: { campaignId: string; initialBy?: Dimension }) {
  const api = useApi();
  const stats = useQuery({
    queryKey: ["campaign", campaignId, "stats"],
    queryFn: () => unwrap(api.GET("/v1/campaigns/{campaign_id}/stats", { params: { path: { campaign_id: campaignId } } })),
  });
  return <QueryState query={stats}>{(data) => <Funnel stats={data} initialBy={initialBy} />}</QueryState>;
}
