// How KOCs and the rule read and are sent: a score to two decimals at most, an empty score
// threshold sent as none (the score then flags nobody).
import type { Schemas } from "@shared/api/client";

export type Influence = Schemas["Influence"];
export type KocRule = Schemas["KocRule"];

/** The rule as the form holds it: a cleared number is null. */
export type RuleValues = { [K in keyof KocRule]-?: number | null };

export function ruleValues(rule: KocRule): RuleValues {
  return {
    direct_weight: rule.direct_weight,
    downstream_weight: rule.downstream_weight,
    gmv_weight: rule.gmv_weight,
    min_downstream: rule.min_downstream,
    window_days: rule.window_days,
    min_score: rule.min_score ?? null,
  };
}

/** The whole rule for PUT: a weight left empty goes as 0 (no weight), the score threshold as none
 * (not used). The form requires the downstream threshold and the window before it sends; were one
 * empty, 0 goes and the API refuses it on that field. */
export function ruleBody(values: RuleValues): KocRule {
  return {
    direct_weight: values.direct_weight ?? 0,
    downstream_weight: values.downstream_weight ?? 0,
    gmv_weight: values.gmv_weight ?? 0,
    min_downstream: values.min_downstream ?? 0,
    window_days: values.window_days ?? 0,
    min_score: values.min_score ?? null,
  };
}

/** "12.35", "7" (a score to two decimals at most, grouped in thousands). */
export function formatScore(score: number): string {
  return (Math.round(score * 100) / 100).toLocaleString("en-US", { maximumFractionDigits: 2 });
}
