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
import { useContactSettingsT } from "./contactSettingsMessages";
import { LeadScoringTab } from "./LeadScoringTab";
import { LifecycleRulesTab } from "./LifecycleRulesTab";
import { TagGroupsTab } from "./TagGroupsTab";
import { TagRulesTab } from "./TagRulesTab";

const SECTIONS: SectionKey[] = ["hours", "sla", "keywords", "sensitive"];

export default function SettingsPage() {
  const t = useSettingsT();
  const contacts = useContactSettingsT();
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
    { key: "tag-groups", label: contacts("tab_tagGroups"), op: "GET /v1/tag-groups", render: () => <TagGroupsTab /> },
    { key: "tag-rules", label: contacts("tab_tagRules"), op: "GET /v1/tag-rules", render: () => <TagRulesTab /> },
    { key: "lifecycle", label: contacts("tab_lifecycle"), op: "GET /v1/lifecycle-rules", render: () => <LifecycleRulesTab /> },
    { key: "scoring", label: contacts("tab_scoring"), op: "GET /v1/lead-scoring", render: () => <LeadScoringTab /> },
  ];
  return <TabbedPage title={t("title")} tabs={tabs} />;
}
