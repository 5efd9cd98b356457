// The rule builder: nested AND/OR groups (each may be negated) of conditions {field, op, value};
// the value control follows the field (a select for closed lists, numbers, text, several values
// for `in`). Errors of a 422 show on the condition part their loc names.
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Card, Checkbox, Flex, Form, Input, InputNumber, Select, Space } from "antd";
import type { ReactNode } from "react";
import { useSegmentsT } from "./messages";
import {
  ATTRIBUTE_PREFIX,
  FIELDS,
  LIFECYCLE_STAGES,
  newCondition,
  newGroup,
  specOf,
  updateNode,
  type ConditionNode,
  type GroupNode,
  type Op,
  type Part,
  type PlacedErrors,
  type RuleNode,
  type Value,
} from "./ruleModel";

type T = ReturnType<typeof useSegmentsT>;
const NUMERIC_OPS: Op[] = ["gt", "gte", "lt", "lte"];

export function RuleBuilder({ value, onChange, errors }: { value: GroupNode; onChange: (next: GroupNode) => void; errors?: PlacedErrors["byCondition"] }) {
  const numbering = new Map<string, number>();
  const walk = (node: RuleNode) => (node.kind === "condition" ? numbering.set(node.id, numbering.size + 1) : node.children.forEach(walk));
  walk(value);
  const change = (id: string, to: (node: RuleNode) => RuleNode | null) => onChange(updateNode(value, id, to));
  return <GroupEditor group={value} root change={change} numbering={numbering} errors={errors ?? {}} />;
}

function GroupEditor({
  group,
  root,
  change,
  numbering,
  errors,
}: {
  group: GroupNode;
  root?: boolean;
  change: (id: string, to: (node: RuleNode) => RuleNode | null) => void;
  numbering: Map<string, number>;
  errors: PlacedErrors["byCondition"];
}) {
  const t = useSegmentsT();
  const setGroup = (patch: Partial<GroupNode>) => change(group.id, (node) => ({ ...(node as GroupNode), ...patch }));
  return (
    <Card size="small" role="group" aria-label={t("rule")} style={{ background: root ? undefined : "#fafafa", marginBottom: 8 }} styles={{ body: { padding: 8 } }}>
      <Flex wrap gap={8} align="center" style={{ marginBottom: 8 }}>
        <Select
          aria-label={t("combinator")}
          value={group.combinator}
          onChange={(combinator) => setGroup({ combinator })}
          options={[
            { value: "and", label: t("group_and") },
            { value: "or", label: t("group_or") },
          ]}
          style={{ minWidth: 150 }}
        />
        <Checkbox checked={group.negate} onChange={(event) => setGroup({ negate: event.target.checked, bare: false })}>
          {t("negate")}
        </Checkbox>
        {!root && (
          <Button icon={<DeleteOutlined />} aria-label={t("removeGroup")} onClick={() => change(group.id, () => null)} />
        )}
      </Flex>
      {group.children.map((child) =>
        child.kind === "group" ? (
          <GroupEditor key={child.id} group={child} change={change} numbering={numbering} errors={errors} />
        ) : (
          <ConditionEditor key={child.id} condition={child} number={numbering.get(child.id) ?? 0} change={change} errors={errors[child.id]} />
        ),
      )}
      <Space wrap>
        <Button icon={<PlusOutlined />} onClick={() => setGroup({ children: [...group.children, newCondition()] })}>
          {t("addCondition")}
        </Button>
        <Button icon={<PlusOutlined />} onClick={() => setGroup({ children: [...group.children, newGroup("or")] })}>
          {t("addGroup")}
        </Button>
      </Space>
    </Card>
  );
}

function fieldLabel(field: string, t: T): string {
  return field === ATTRIBUTE_PREFIX ? t("field_attributes") : t(`field_${field}` as Parameters<T>[0]);
}

function ConditionEditor({
  condition,
  number,
  change,
  errors,
}: {
  condition: ConditionNode;
  number: number;
  change: (id: string, to: (node: RuleNode) => RuleNode | null) => void;
  errors?: Partial<Record<Part, string[]>>;
}) {
  const t = useSegmentsT();
  const spec = specOf(condition.field);
  const attribute = condition.field.startsWith(ATTRIBUTE_PREFIX);
  const set = (patch: Partial<ConditionNode>) => change(condition.id, (node) => ({ ...(node as ConditionNode), ...patch }));
  const which = t("conditionNumber", { n: number });
  const item = (part: Part, control: ReactNode, width: number | string) => (
    <Form.Item
      style={{ marginBottom: 8, minWidth: 0, flex: `1 1 ${typeof width === "number" ? `${width}px` : width}` }}
      validateStatus={errors?.[part] ? "error" : undefined}
      help={errors?.[part]?.join("; ")}
    >
      {control}
    </Form.Item>
  );
  const chooseField = (field: string) => {
    const next = specOf(field);
    const op = next?.ops.includes(condition.op) ? condition.op : (next?.ops[0] ?? "eq");
    set({ field, op, value: undefined });
  };
  return (
    <Flex wrap gap={8} align="flex-start" data-testid={`condition-${number}`}>
      {item(
        "field",
        <Space.Compact style={{ width: "100%" }}>
          <Select
            aria-label={`${t("field")} · ${which}`}
            value={attribute ? ATTRIBUTE_PREFIX : condition.field}
            onChange={chooseField}
            options={[...Object.keys(FIELDS), ATTRIBUTE_PREFIX].map((field) => ({ value: field, label: fieldLabel(field, t) }))}
            style={{ minWidth: 140 }}
            popupMatchSelectWidth={false}
          />
          {attribute && (
            <Input
              aria-label={`${t("attributeName")} · ${which}`}
              value={condition.field.slice(ATTRIBUTE_PREFIX.length)}
              onChange={(event) => set({ field: `${ATTRIBUTE_PREFIX}${event.target.value}` })}
            />
          )}
        </Space.Compact>,
        200,
      )}
      {item(
        "op",
        <Select
          aria-label={`${t("op")} · ${which}`}
          value={condition.op}
          onChange={(op: Op) => set({ op, value: op === "in" ? [] : Array.isArray(condition.value) ? undefined : condition.value })}
          options={(spec?.ops ?? ["eq"]).map((op) => ({ value: op, label: t(`op_${op}`) }))}
          style={{ width: "100%" }}
          popupMatchSelectWidth={false}
        />,
        120,
      )}
      <Flex gap={8} style={{ flex: "1 1 220px", minWidth: 0 }}>
        {item("value", <ValueInput condition={condition} label={`${t("value")} · ${which}`} onChange={(value) => set({ value })} />, 160)}
        <Button icon={<DeleteOutlined />} aria-label={`${t("removeCondition")} · ${which}`} onClick={() => change(condition.id, () => null)} />
      </Flex>
    </Flex>
  );
}

function ValueInput({ condition, label, onChange }: { condition: ConditionNode; label: string; onChange: (value: Value | undefined) => void }) {
  const t = useSegmentsT();
  const spec = specOf(condition.field);
  const numeric = spec?.kind === "number" || (spec?.kind === "any" && NUMERIC_OPS.includes(condition.op));
  const many = condition.op === "in";
  const value = condition.value;
  if (spec?.values) {
    const options = spec.values.map((v) => ({
      value: v,
      label: (LIFECYCLE_STAGES as readonly string[]).includes(v) ? t(`stage_${v}` as Parameters<typeof t>[0]) : v,
    }));
    return (
      <Select
        aria-label={label}
        mode={many ? "multiple" : undefined}
        value={value as string | string[] | undefined}
        onChange={(next: string | string[]) => onChange(next)}
        options={options}
        style={{ width: "100%" }}
      />
    );
  }
  if (many) {
    return (
      <Select
        aria-label={label}
        mode="tags"
        value={(Array.isArray(value) ? value : []).map(String)}
        onChange={(next: string[]) => onChange(numeric ? next.map(Number).filter((n) => !Number.isNaN(n)) : next)}
        open={false}
        suffixIcon={null}
        placeholder={t("values")}
        style={{ width: "100%" }}
      />
    );
  }
  if (numeric) {
    return <InputNumber aria-label={label} value={typeof value === "number" ? value : null} onChange={(next) => onChange(next ?? undefined)} precision={0} style={{ width: "100%" }} />;
  }
  return <Input aria-label={label} value={typeof value === "string" ? value : value === undefined ? "" : String(value)} onChange={(event) => onChange(event.target.value)} />;
}
