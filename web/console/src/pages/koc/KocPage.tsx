// KOCs and influence (/console/koc), in two tabs (`?tab=`): the KOC list, a chosen contact's
// invitation network (the contact and the depth kept in the URL, `?contact=…&depth=1..3`, so a
// network can be linked to and survives a reload) and the rule that flags KOCs (admins edit it,
// managers read it); and the KOCs' tasks (`?tab=tasks`).
import { Flex, Typography } from "antd";
import { useSearchParams } from "react-router-dom";
import { TitleBar } from "../../components/headings";
import { LinkedTabs } from "../../components/LinkedTabs";
import { Section } from "../../components/Section";
import { KocList } from "./KocList";
import { useKocT } from "./messages";
import { depthParam, DEFAULT_DEPTH, type Depth } from "./network";
import { NetworkSection } from "./NetworkSection";
import { RuleSection } from "./RuleForm";
import { TasksTab, useTaskDrawers } from "./TasksTab";

const NETWORK_ID = "koc-network";

export default function KocPage() {
  const t = useKocT();
  const tasks = useTaskDrawers();
  return (
    <Flex vertical gap={16}>
      <TitleBar title={t("title")} />
      <LinkedTabs
        label={t("title")}
        tabs={[
          { key: "influence", label: t("tabInfluence"), op: "GET /v1/koc", render: () => <InfluenceTab /> },
          { key: "tasks", label: t("tabTasks"), op: "GET /v1/koc/tasks", render: () => <TasksTab onCreate={tasks.create} onReview={tasks.review} /> },
        ]}
      />
      {tasks.drawers}
    </Flex>
  );
}

function InfluenceTab() {
  const t = useKocT();
  const [params, setParams] = useSearchParams();
  const contactId = params.get("contact") ?? "";
  const depth = depthParam(params.get("depth"));
  const set = (name: string, value: string | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(name, value);
      else next.delete(name);
      return next;
    });
  const showNetwork = (id: string) => {
    set("contact", id || null);
    if (id) document.getElementById(NETWORK_ID)?.scrollIntoView({ behavior: "smooth", block: "start" });
  };
  return (
    <Flex vertical gap={16}>
      <Section id="koc-list" title={t("list")}>
        <Flex vertical gap={12}>
          <Typography.Text type="secondary">{t("listHelp")}</Typography.Text>
          <KocList onShowNetwork={showNetwork} />
        </Flex>
      </Section>
      <Section id={NETWORK_ID} title={t("network")}>
        <NetworkSection
          contactId={contactId}
          depth={depth}
          onContact={showNetwork}
          onDepth={(value: Depth) => set("depth", value === DEFAULT_DEPTH ? null : String(value))}
        />
      </Section>
      <Section id="koc-rule" title={t("rule")}>
        <RuleSection />
      </Section>
    </Flex>
  );
}
