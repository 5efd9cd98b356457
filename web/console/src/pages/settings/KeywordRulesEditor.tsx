// Keyword rules: a channel message that contains one of a rule's words opens a case of the rule's
// type and priority (or joins the member's open case). Form.List `keyword_rules`, so a 422 on
// `["body", "keyword_rules", 1, "keywords"]` lands on that rule's word list.
import { Form, Select, Space, Typography } from "antd";
import type { Schemas } from "@shared/api/client";
import type { Translate } from "@shared/i18n";
import { CASE_TYPES, PRIORITIES, useSettingsT, type SettingsKey } from "./messages";
import { CardList } from "../../components/CardList";
import { WordsInput } from "../../components/WordsInput";

type Rule = Schemas["KeywordRule"];

export function describeKeywordRule(rule: Partial<Rule> | undefined, t: Translate<SettingsKey>): string {
  const words = rule?.keywords?.length ? rule.keywords.join(" / ") : "…";
  return t("keywordRuleSummary", {
    words,
    type: t(`type_${rule?.type ?? "complaint"}`),
    priority: t(`priority_${rule?.priority ?? "normal"}`),
  });
}

export function KeywordRulesEditor() {
  const t = useSettingsT();
  return (
    <CardList
      name="keyword_rules"
      empty={t("noKeywordRules")}
      itemTitle={(n) => t("ruleN", { n })}
      removeLabel={(n) => t("removeRuleN", { n })}
      addLabel={t("addKeywordRule")}
      newItem={() => ({ keywords: [], type: "complaint", priority: "normal" })}
    >
      {(field, index) => (
        <>
          <Form.Item label={t("ruleKeywords")} name={[field.name, "keywords"]} extra={t("wordsHint")}>
            <WordsInput />
          </Form.Item>
          <Space wrap size="large">
            <Form.Item label={t("caseType")} name={[field.name, "type"]}>
              <Select style={{ width: 160 }} options={CASE_TYPES.map((type) => ({ value: type, label: t(`type_${type}`) }))} />
            </Form.Item>
            <Form.Item label={t("priority")} name={[field.name, "priority"]}>
              <Select style={{ width: 140 }} options={PRIORITIES.map((p) => ({ value: p, label: t(`priority_${p}`) }))} />
            </Form.Item>
          </Space>
          <Form.Item noStyle shouldUpdate>
            {(form) => (
              <Typography.Text strong data-testid={`keyword-summary-${index}`}>
                {describeKeywordRule(form.getFieldValue(["keyword_rules", field.name]) as Rule | undefined, t)}
              </Typography.Text>
            )}
          </Form.Item>
        </>
      )}
    </CardList>
  );
}
