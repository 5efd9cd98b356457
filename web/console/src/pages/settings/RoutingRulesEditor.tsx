// A queue's routing rules: each rule is a set of conditions (case types, words in the message,
// brands) that must all hold for a case to go to this queue; an empty rule takes every case.
// Form.List `rules`, so a 422 on `["body", "rules", 0, "keywords"]` lands on that rule's field.
import { Checkbox, Form, Typography } from "antd";
import type { Schemas } from "@shared/api/client";
import type { Translate } from "@shared/i18n";
import { CASE_TYPES, useSettingsT, type SettingsKey } from "./messages";
import { CardList } from "../../components/CardList";
import { WordsInput } from "../../components/WordsInput";

type Rule = Schemas["RoutingRule"];

/** One rule in words: "type is complaint and the message mentions 退款 → VIP queue". */
export function describeRule(rule: Rule | undefined, queueName: string, t: Translate<SettingsKey>): string {
  const parts: string[] = [];
  if (rule?.types?.length) parts.push(t("whenTypes", { types: rule.types.map((type) => t(`type_${type}`)).join(" / ") }));
  if (rule?.keywords?.length) parts.push(t("whenKeywords", { words: rule.keywords.join(" / ") }));
  if (rule?.brands?.length) parts.push(t("whenBrands", { brands: rule.brands.join(" / ") }));
  const condition = parts.length ? parts.join(t("and")) : t("everyCase");
  return `${condition} → ${queueName || t("thisQueue")}`;
}

export function RoutingRulesEditor({ queueName }: { queueName: string }) {
  const t = useSettingsT();
  return (
    <CardList
      name="rules"
      empty={t("noRules")}
      itemTitle={(n) => t("ruleN", { n })}
      removeLabel={(n) => t("removeRuleN", { n })}
      addLabel={t("addRule")}
      newItem={() => ({ types: [], keywords: [], brands: [] })}
    >
      {(field, index) => (
        <>
          <Form.Item label={t("ruleTypes")} name={[field.name, "types"]}>
            <Checkbox.Group options={CASE_TYPES.map((type) => ({ value: type, label: t(`type_${type}`) }))} />
          </Form.Item>
          <Form.Item label={t("ruleKeywords")} name={[field.name, "keywords"]} extra={t("wordsHint")}>
            <WordsInput />
          </Form.Item>
          <Form.Item label={t("ruleBrands")} name={[field.name, "brands"]}>
            <WordsInput />
          </Form.Item>
          <Form.Item noStyle shouldUpdate>
            {(form) => (
              <Typography.Text strong data-testid={`rule-summary-${index}`}>
                {describeRule(form.getFieldValue(["rules", field.name]) as Rule | undefined, queueName, t)}
              </Typography.Text>
            )}
          </Form.Item>
        </>
      )}
    </CardList>
  );
}
