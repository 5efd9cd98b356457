// 企业微信 (/console/wecom?tab=…): relationships, deletion records, the staff directory (with the
// admin's sync and reconciliation), customer transfers and the admin's settings (corps, welcome
// messages). Each tab is a link and is shown only to the roles that may call its operation.
import { TabbedPage, type LinkedTab } from "../../components/LinkedTabs";
import { DeletionsTab } from "./DeletionsTab";
import { useWeComT } from "./messages";
import { RelationshipsTab } from "./RelationshipsTab";
import { SettingsTab } from "./SettingsTab";
import { StaffTab } from "./StaffTab";
import { TransfersTab } from "./TransfersTab";

export default function WeComPage() {
  const t = useWeComT();
  const tabs: LinkedTab[] = [
    { key: "relationships", label: t("tab_relationships"), op: "GET /v1/wecom/relationships", render: () => <RelationshipsTab /> },
    { key: "deletions", label: t("tab_deletions"), op: "GET /v1/wecom/deletions", render: () => <DeletionsTab /> },
    { key: "staff", label: t("tab_staff"), op: "GET /v1/wecom/staff", render: () => <StaffTab /> },
    { key: "transfers", label: t("tab_transfers"), op: "GET /v1/wecom/transfers", render: () => <TransfersTab /> },
    { key: "settings", label: t("tab_settings"), op: "PUT /v1/wecom/settings", render: () => <SettingsTab /> },
  ];
  return <TabbedPage title={t("title")} tabs={tabs} />;
}
