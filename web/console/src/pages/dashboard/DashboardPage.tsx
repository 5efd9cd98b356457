// The overview: today / 7 / 30 days of growth, campaigns, points and cases, each widget shown
// only to the roles that may read its report.
import { Col, Result, Row, Segmented, Space } from "antd";
import { useMemo, useState } from "react";
import { useCan } from "../../app";
import { TitleBar } from "../../components/headings";
import { PERIODS, type Period } from "./data";
import { useDashboardT } from "./messages";
import { CasesWidget, DailyWidget, periodLabel, useDaily, type Figure } from "./widgets";

function ContactsWidget({ period }: { period: Period }) {
  const t = useDashboardT();
  const figures = useMemo<Figure[]>(() => [{ key: "new_contacts", label: t("newContacts") }], [t]);
  return <DailyWidget id="dashboard-contacts" title={t("growth")} query={useDaily("/v1/contacts/daily-stats", period)} figures={figures} period={period} />;
}

function CampaignsWidget({ period }: { period: Period }) {
  const t = useDashboardT();
  const figures = useMemo<Figure[]>(
    () => [
      { key: "scans", label: t("scans") },
      { key: "acquired", label: t("acquired") },
      { key: "conversions", label: t("conversions") },
    ],
    [t],
  );
  return <DailyWidget id="dashboard-campaigns" title={t("campaigns")} query={useDaily("/v1/campaigns/daily-stats", period)} figures={figures} period={period} />;
}

function PointsWidget({ period }: { period: Period }) {
  const t = useDashboardT();
  const figures = useMemo<Figure[]>(
    () => [
      { key: "points_issued", label: t("pointsIssued") },
      { key: "points_redeemed", label: t("pointsRedeemed") },
    ],
    [t],
  );
  return <DailyWidget id="dashboard-points" title={t("points")} query={useDaily("/v1/points/daily-stats", period)} figures={figures} period={period} />;
}

export default function DashboardPage() {
  const t = useDashboardT();
  const can = useCan();
  const [period, setPeriod] = useState<Period>(7);
  const widgets = [
    can("GET /v1/contacts/daily-stats") && <ContactsWidget key="contacts" period={period} />,
    can("GET /v1/campaigns/daily-stats") && <CampaignsWidget key="campaigns" period={period} />,
    can("GET /v1/points/daily-stats") && <PointsWidget key="points" period={period} />,
    can("GET /v1/cases/stats") && <CasesWidget key="cases" period={period} />,
  ].filter(Boolean);
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <TitleBar
        title={t("title")}
        extra={
          widgets.length > 0 && (
            <Segmented<Period>
              aria-label={t("period")}
              value={period}
              onChange={setPeriod}
              options={PERIODS.map((value) => ({ value, label: periodLabel(t, value) }))}
            />
          )
        }
      />
      {widgets.length === 0 ? (
        <Result status="info" title={t("nothingToRead")} subTitle={t("nothingToReadDetail")} />
      ) : (
        <Row gutter={[16, 16]}>
          {widgets.map((widget) => (
            <Col key={(widget as { key: string }).key} xs={24} xl={12}>
              {widget}
            </Col>
          ))}
        </Row>
      )}
    </Space>
  );
}
