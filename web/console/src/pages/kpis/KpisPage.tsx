// Staff KPIs per staff member or department, per day, ISO week or month (the period containing the
// chosen date, kept in the URL): a table of every measure and a bar chart of one of them. A guide
// sees only their own row (and no departments).
import { useQuery } from "@tanstack/react-query";
import { Card, DatePicker, Flex, Segmented, Select, Table, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import dayjs, { type Dayjs } from "dayjs";
import { useMemo, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { unwrap } from "@shared/api/client";
import { useApi, useSession } from "../../app";
import { TitleBar } from "../../components/headings";
import { EmptyState, QueryState } from "../../components/QueryState";
import { Section } from "../../components/Section";
import { KeyboardScroll } from "../../components/KeyboardScroll";
import { businessToday } from "../../components/format";
import { KpiChart } from "./KpiChart";
import { formatMeasure, MEASURES, rowName, type GroupBy, type KpiRow, type Measure, type Period } from "./kpis";
import { useKpisT } from "./messages";

const GROUPS: readonly GroupBy[] = ["staff", "department"];
const PERIODS: readonly Period[] = ["day", "week", "month"];
const DAY = "YYYY-MM-DD";

function pick<T extends string>(value: string | null, options: readonly T[], fallback: T): T {
  return options.find((option) => option === value) ?? fallback;
}

export default function KpisPage() {
  const t = useKpisT();
  const api = useApi();
  const session = useSession();
  const onlyGuide = session.roles.every((role) => role === "guide");
  const [params, setParams] = useSearchParams();
  const groupBy = onlyGuide ? "staff" : pick(params.get("group_by"), GROUPS, "staff");
  const period = pick(params.get("period"), PERIODS, "day");
  const chosen = params.get("date");
  const date = chosen && /^\d{4}-\d{2}-\d{2}$/.test(chosen) && dayjs(chosen).isValid() ? chosen : businessToday();
  const [measure, setMeasure] = useState<Measure>("customers");
  const set = (name: string, value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      next.set(name, value);
      return next;
    });
  const report = useQuery({
    queryKey: ["wecom", "kpis", groupBy, period, date],
    queryFn: () => unwrap(api.GET("/v1/wecom/kpis", { params: { query: { group_by: groupBy, period, date } } })),
  });
  const departmentName = (id: number) => t("departmentName", { id });
  const columns = useMemo<ColumnsType<KpiRow>>(
    () => [
      { title: groupBy === "staff" ? t("staff") : t("department"), key: "name", fixed: "left", render: (_: unknown, row) => rowName(row, (id) => t("departmentName", { id })) },
      ...(groupBy === "department" ? [{ title: t("membersCount"), key: "members", render: (_: unknown, row: KpiRow) => row.members ?? "—" }] : []),
      ...MEASURES.map((key) => ({ title: t(key), key, align: "right" as const, render: (_: unknown, row: KpiRow) => formatMeasure(row, key) })),
    ],
    [groupBy, t],
  );
  return (
    <Flex vertical gap={16}>
      <TitleBar title={t("title")} />
      <Flex wrap gap={16} align="center">
        {!onlyGuide && (
          <Segmented<GroupBy>
            aria-label={t("groupBy")}
            value={groupBy}
            options={GROUPS.map((value) => ({ value, label: t(`group_${value}`) }))}
            onChange={(value) => set("group_by", value)}
          />
        )}
        <Segmented<Period>
          aria-label={t("period")}
          value={period}
          options={PERIODS.map((value) => ({ value, label: t(`period_${value}`) }))}
          onChange={(value) => set("period", value)}
        />
        <DatePicker
          aria-label={t("date")}
          picker={period === "day" ? "date" : period}
          value={dayjs(date)}
          allowClear={false}
          onChange={(value: Dayjs | null) => value && set("date", value.format(DAY))}
        />
        {report.data && (
          <Typography.Text data-testid="kpi-range">
            {t("range", { start: report.data.start, end: report.data.end, zone: report.data.zone })}
          </Typography.Text>
        )}
      </Flex>
      <QueryState query={report} isEmpty={(data) => data.rows.length === 0} empty={<Card><EmptyState description={t("noRows")} /></Card>}>
        {(data) => {
          const names = data.rows.map((row) => rowName(row, departmentName));
          const group = groupBy === "staff" ? t("staff") : t("department");
          return (
            <>
              <Section id="kpi-table" title={t("table")}>
                <KeyboardScroll label={t("tableScroller")}>
                  <Table<KpiRow>
                    rowKey={(row) => String(row.staff_id ?? row.department_id)}
                    size="small"
                    pagination={false}
                    dataSource={data.rows}
                    columns={columns}
                    scroll={{ x: "max-content" }}
                  />
                </KeyboardScroll>
              </Section>
              <Section id="kpi-chart" title={t("chart")}>
                <Flex vertical gap={12}>
                  <Select<Measure>
                    aria-label={t("measure")}
                    value={measure}
                    onChange={setMeasure}
                    options={MEASURES.map((value) => ({ value, label: t(value) }))}
                    style={{ width: 260, maxWidth: "100%" }}
                  />
                  <KpiChart
                    rows={data.rows}
                    measure={measure}
                    names={names}
                    label={t("chartLabel", { group, measure: t(measure) })}
                    summary={(top, value) => (top ? t("chartSummary", { measure: t(measure), name: rowName(top, departmentName), value }) : t("chartNone", { measure: t(measure) }))}
                  />
                </Flex>
              </Section>
            </>
          );
        }}
      </QueryState>
    </Flex>
  );
}
