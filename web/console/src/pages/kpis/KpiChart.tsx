// One measure across the report's rows, as bars (ECharts arrives in its own chunk).
import { useMemo } from "react";
import { Chart, type ChartOption } from "../dashboard/Chart";
import { formatMeasure, leader, measureValue, type KpiRow, type Measure } from "./kpis";

export function KpiChart({ rows, measure, names, label, summary }: { rows: KpiRow[]; measure: Measure; names: string[]; label: string; summary: (top: KpiRow | null, value: string) => string }) {
  const option = useMemo<ChartOption>(
    () => ({
      animation: false, // switching the measure redraws at once
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 16, bottom: 56 },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: [{ type: "bar", name: label, data: rows.map((row) => measureValue(row, measure)), barMaxWidth: 40 }],
    }),
    [rows, measure, names, label],
  );
  const top = leader(rows, measure);
  return <Chart option={option} label={label} summary={summary(top, top ? formatMeasure(top, measure) : "")} height={280} />;
}
