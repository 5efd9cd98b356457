// Points (/console/points?tab=…): the policy, the rewards catalog, redemptions to hand over,
// staff adjustments and a member's statement. Each tab is a link; a tab the role cannot use is
// not shown, and actions inside a tab are hidden the same way (agents open the page for the
// redemptions and the statement: routes.tsx).
import { Typography } from "antd";
import { TabbedPage, type LinkedTab } from "../../components/LinkedTabs";
import { AdjustmentForm } from "./AdjustmentForm";
import { usePointsT } from "./messages";
import { PolicyTab } from "./PolicyForm";
import { RedemptionsTab } from "./RedemptionsTab";
import { RewardsTab } from "./RewardsTab";
import { StatementTab } from "./StatementTab";

export default function PointsPage() {
  const t = usePointsT();
  const tabs: LinkedTab[] = [
    {
      key: "policy",
      label: t("tab_policy"),
      op: "GET /v1/points/policy",
      render: () => (
        <>
          <Typography.Title level={2} style={{ fontSize: 20 }}>
            {t("tab_policy")}
          </Typography.Title>
          <PolicyTab />
        </>
      ),
    },
    // The catalog is the managers' to keep (any role may read it, members too): agents, at the
    // desk, get the redemptions to hand over and a member's statement.
    { key: "rewards", label: t("tab_rewards"), op: "POST /v1/rewards", render: () => <RewardsTab /> },
    { key: "redemptions", label: t("tab_redemptions"), op: "GET /v1/redemptions", render: () => <RedemptionsTab /> },
    {
      key: "adjustments",
      label: t("tab_adjustments"),
      op: "POST /v1/contacts/{contact_id}/points/adjustments",
      render: () => (
        <>
          <Typography.Title level={2} style={{ fontSize: 20 }}>
            {t("tab_adjustments")}
          </Typography.Title>
          <AdjustmentForm />
        </>
      ),
    },
    { key: "statement", label: t("tab_statement"), op: "GET /v1/contacts/{contact_id}/points", render: () => <StatementTab /> },
  ];
  return <TabbedPage title={t("title")} tabs={tabs} />;
}
