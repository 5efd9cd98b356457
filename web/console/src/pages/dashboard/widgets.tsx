// The dashboard's widgets: each reads one report, with its own loading, error and empty states.
import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { Col, Row, Statistic, Typography } from "antd";
import { useMemo } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { EmptyState, QueryState } from "../../components/QueryState";
import { Section } from "../../components/Section";
import { dailySeries, peak, percent, shortDate, statusCounts, total, type DayRow, type Period } from "./data";
import { Chart, type ChartOption } from "./Chart";
import { useDashboardT } from "./messages";

type T = ReturnType<typeof useDashboardT>;

export function periodLabel(t: T, period: Period): string {
  return period === 1 ? t("today") : period === 7 ? t("days7") : t("days30");
}

export interface Figure {
  key: string;
  label: string;
}

interface DailyAnswer {
  zone: string;
  days: DayRow[];
}

function dailyOption(days: DayRow[], figures: Figure[], period: Period): ChartOption {
  const { dates, series } = dailySeries(days, figures.map((figure) => figure.key));
  const kind = period === 1 ? "bar" : "line";
  return {
    tooltip: { trigger: "axis" },
    legend: { top: 0, textStyle: { color: "#333" } },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: dates, axisLabel: { color: "#444" } },
    yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#444" } },
    series: series.map((line, index) =>
      kind === "bar"
        ? { type: "bar", name: figures[index]!.label, data: line.values, barMaxWidth: 32 }
        : { type: "line", name: figures[index]!.label, data: line.values, smooth: true, symbolSize: 6 },
    ),
  };
}

/** Figures over the period (sums) and their daily chart, from one daily-stats answer. */
export function DailyWidget({ id, title, query, figures, period }: { id: string; title: string; query: UseQueryResult<DailyAnswer>; figures: Figure[]; period: Period }) {
  const t = useDashboardT();
  const label = periodLabel(t, period);
  return (
    <Section title={title} id={id}>
      <QueryState query={query}>
        {(answer) => (
          <DailyBody answer={answer} figures={figures} period={period} title={title} periodText={label} />
        )}
      </QueryState>
    </Section>
  );
}

function DailyBody({ answer, figures, period, title, periodText }: { answer: DailyAnswer; figures: Figure[]; period: Period; title: string; periodText: string }) {
  const t = useDashboardT();
  const option = useMemo(() => dailyOption(answer.days, figures, period), [answer, figures, period]);
  const summary = figures.map((figure) => {
    const best = peak(answer.days, figure.key);
    const sum = total(answer.days, figure.key);
    return (
      <li key={figure.key}>
        {best && answer.days.length > 1
          ? t("summaryDaily", { label: figure.label, period: periodText, total: sum, peak: best.value, date: shortDate(best.date) })
          : t("summaryFlat", { label: figure.label, period: periodText, total: sum })}
      </li>
    );
  });
  return (
    <>
      <Row gutter={[16, 16]}>
        {figures.map((figure) => (
          <Col key={figure.key} xs={12} sm={Math.max(6, Math.floor(24 / figures.length))}>
            <Statistic title={figure.label} value={total(answer.days, figure.key)} />
          </Col>
        ))}
      </Row>
      {figures.every((figure) => total(answer.days, figure.key) === 0) ? (
        <EmptyState description={t("quiet", { period: periodText })} />
      ) : (
      <Chart
        option={option}
        label={t("chartDaily", { name: title, period: periodText })}
        summary={
          <>
            <ul style={{ margin: 0, paddingLeft: 18 }}>{summary}</ul>
            <Typography.Text type="secondary">{t("zone", { zone: answer.zone })}</Typography.Text>
          </>
        }
      />
      )}
    </>
  );
}

type DailyPath = "/v1/contacts/daily-stats" | "/v1/campaigns/daily-stats" | "/v1/points/daily-stats";

export function useDaily(path: DailyPath, period: Period) {
  const api = useApi();
  return useQuery({
    queryKey: ["dashboard", path, period],
    queryFn: (): Promise<DailyAnswer> => {
      const init = { params: { query: { days: period } } };
      if (path === "/v1/contacts/daily-stats") return unwrap(api.GET(path, init));
      if (path === "/v1/campaigns/daily-stats") return unwrap(api.GET(path, init));
      return unwrap(api.GET(path, init));
    },
  });
}

function statusOption(counts: [string, number][], labels: string[]): ChartOption {
  return {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1, axisLabel: { color: "#444" } },
    yAxis: { type: "category", data: labels, inverse: true, axisLabel: { color: "#444" } },
    series: [{ type: "bar", data: counts.map(([, count]) => count), barMaxWidth: 24, label: { show: true, position: "right", color: "#333" } }],
  };
}

/** Open cases by status, SLA hit rate and CSAT, from the cases report. */
export function CasesWidget({ period }: { period: Period }) {
  const t = useDashboardT();
  const api = useApi();
  const query = useQuery({
    queryKey: ["dashboard", "cases", period],
    queryFn: () => unwrap(api.GET("/v1/cases/stats", { params: { query: { days: period } } })),
  });
  return (
    <Section title={t("cases")} id="dashboard-cases">
      <QueryState query={query}>{(stats) => <CasesBody stats={stats} />}</QueryState>
    </Section>
  );
}

function CasesBody({ stats }: { stats: Schemas["Stats"] }) {
  const t = useDashboardT();
  const { counts, labels, option } = useMemo(() => {
    const counts = statusCounts(stats.open_by_status);
    const labels = counts.map(([status]) => statusLabel(t, status));
    return { counts, labels, option: statusOption(counts, labels) };
  }, [stats, t]);
  const csat = stats.overall.csat;
  return (
    <>
      <Row gutter={[16, 16]}>
        <Col xs={12} sm={8}>
          <Statistic title={t("slaHitRate")} value={percent(stats.overall.sla_hit_rate) ?? t("noRate")} />
        </Col>
        <Col xs={12} sm={8}>
          <Statistic title={t("csat")} value={csat.average ?? t("noRate")} suffix={csat.average === null ? undefined : "/ 5"} />
          <Typography.Text type="secondary">{t("csatResponses", { count: csat.responses })}</Typography.Text>
        </Col>
        <Col xs={24} sm={8}>
          <Statistic title={t("openByStatus")} value={counts.reduce((sum, [, count]) => sum + count, 0)} />
          <Typography.Text type="secondary">{t("casesOpened", { count: stats.overall.cases })}</Typography.Text>
        </Col>
      </Row>
      <Typography.Title level={3} style={{ fontSize: 14, marginTop: 16 }}>
        {t("openByStatus")}
      </Typography.Title>
      {counts.length === 0 ? (
        <Typography.Paragraph>{t("noOpenCases")}</Typography.Paragraph>
      ) : (
        <Chart
          option={option}
          height={Math.max(120, counts.length * 40 + 24)}
          label={t("chartStatus")}
          summary={t("summaryStatus", { list: counts.map(([, count], index) => `${labels[index]} ${count}`).join("，") })}
        />
      )}
    </>
  );
}

export function statusLabel(t: T, status: string): string {
  const key = `status_${status}` as Parameters<T>[0];
  const text = t(key);
  return text === key ? status : text;
}
