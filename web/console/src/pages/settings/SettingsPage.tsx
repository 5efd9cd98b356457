// Settings (/console/settings?tab=…): the tenant's case handling — business hours and holidays,
// SLA targets, keyword rules, sensitive words — and its queues with their routing rules, its agents
// and its knowledge base. Each tab is a link; a tab the role cannot use is not shown.
import { Typography } from "antd";
import { AgentsTab } from "./AgentsTab";
import { CaseSettingsSection, type SectionKey } from "./CaseSettingsSection";
import { KnowledgeBaseTab } from "./KnowledgeBaseTab";
import { TabbedPage, type LinkedTab } from "../../components/LinkedTabs";
import { useSettingsT } from "./messages";
import { QueuesTab } from "./QueuesTab";

const SECTIONS: SectionKey[] = ["hours", "sla", "keywords", "sensitive"];

export default function SettingsPage() {
  const t = useSettingsT();
  const tabs: LinkedTab[] = [
    ...SECTIONS.map((section) => ({
      key: section,
      label: t(`tab_${section}`),
      op: "GET /v1/case-settings" as const,
      render: () => (
        <>
          <Typography.Title level={2} style={{ fontSize: 20 }}>
            {t(`tab_${section}`)}
          </Typography.Title>
          <CaseSettingsSection section={section} />
        </>
      ),
    })),
    { key: "queues", label: t("tab_queues"), op: "GET /v1/queues", render: () => <QueuesTab /> },
    { key: "agents", label: t("tab_agents"), op: "GET /v1/agents", render: () => <AgentsTab /> },
    { key: "kb", label: t("tab_kb"), op: "GET /v1/kb/articles", render: () => <KnowledgeBaseTab /> },
  ];
  return <TabbedPage title={t("title")} tabs={tabs} />;
}
