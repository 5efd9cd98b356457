// The rule builder's model: a segment rule (JSON: {and|or: [...]}, {not: rule}, {field, op, value})
// as an editable tree of groups and conditions, back to JSON, and a 422's `loc` (["body", "rule",
// "and", 0, "field"]) back to the condition (and its part) it names.
import type { Schemas } from "@shared/api/client";

export type Rule = Schemas["SegmentWrite"]["rule"] & object;
export type ConditionJson = Schemas["Condition"];
export type Op = ConditionJson["op"];
export type Value = ConditionJson["value"];

export interface ConditionNode {
  kind: "condition";
  id: string;
  field: string;
  op: Op;
  value: Value | undefined;
}
export interface GroupNode {
  kind: "group";
  id: string;
  combinator: "and" | "or";
  negate: boolean;
  /** Read from {not: rule} where rule is no and/or group: written back without a group. */
  bare?: boolean;
  children: RuleNode[];
}
export type RuleNode = ConditionNode | GroupNode;

export const LIFECYCLE_STAGES = ["new", "growing", "mature", "dormant", "churned"] as const;
export const RFM_GROUPS = ["重要价值", "重要发展", "重要保持", "重要挽留", "一般价值", "一般发展", "一般保持", "一般挽留"] as const;
export const GRADES = ["A", "B", "C", "D"] as const;

const EQUALITY: Op[] = ["eq", "ne", "in"];
const NUMERIC: Op[] = ["eq", "ne", "in", "gt", "gte", "lt", "lte"];
const SETS: Op[] = ["has", "in", "eq", "ne"];

export interface FieldSpec {
  kind: "text" | "number" | "set" | "any";
  ops: Op[];
  values?: readonly string[];
}

/** As services/contacts/logic/segment_rules.py FIELDS allows. */
export const FIELDS: Record<string, FieldSpec> = {
  tag: { kind: "set", ops: ["has", "in"] },
  lifecycle: { kind: "text", ops: EQUALITY, values: LIFECYCLE_STAGES },
  rfm_group: { kind: "text", ops: EQUALITY, values: RFM_GROUPS },
  lead_grade: { kind: "text", ops: EQUALITY, values: GRADES },
  lead_score: { kind: "number", ops: NUMERIC },
  points_tier: { kind: "text", ops: EQUALITY },
  points_balance: { kind: "number", ops: NUMERIC },
  owner_staff_id: { kind: "set", ops: SETS },
  "source.campaign_id": { kind: "text", ops: EQUALITY },
  "source.channel": { kind: "text", ops: EQUALITY },
  "source.staff_id": { kind: "text", ops: EQUALITY },
  brand: { kind: "set", ops: SETS },
  last_active_days: { kind: "number", ops: NUMERIC },
};
export const ATTRIBUTE_PREFIX = "attributes.";
const ATTRIBUTE_SPEC: FieldSpec = { kind: "any", ops: NUMERIC };

export function specOf(field: string): FieldSpec | undefined {
  if (field.startsWith(ATTRIBUTE_PREFIX)) return ATTRIBUTE_SPEC;
  return FIELDS[field];
}

let counter = 0;
export const newId = () => `n${++counter}`;

export function newCondition(field = "tag"): ConditionNode {
  return { kind: "condition", id: newId(), field, op: specOf(field)?.ops[0] ?? "eq", value: undefined };
}
export function newGroup(combinator: "and" | "or" = "and", children: RuleNode[] = [newCondition()]): GroupNode {
  return { kind: "group", id: newId(), combinator, negate: false, children };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON → builder tree; the root is always a group. */
export function fromRule(rule: unknown): GroupNode {
  const node = parse(rule);
  return node.kind === "group" ? node : newGroup("and", [node]);
}

function parse(rule: unknown): RuleNode {
  if (!isObject(rule)) return newCondition();
  if (Array.isArray(rule.and) || Array.isArray(rule.or)) {
    const combinator = Array.isArray(rule.and) ? "and" : "or";
    const children = (rule[combinator] as unknown[]).map(parse);
    return { kind: "group", id: newId(), combinator, negate: false, children };
  }
  if ("not" in rule) {
    const inner = parse(rule.not);
    if (inner.kind === "group" && !inner.negate) return { ...inner, negate: true };
    return { kind: "group", id: newId(), combinator: "and", negate: true, bare: true, children: [inner] };
  }
  return {
    kind: "condition",
    id: newId(),
    field: typeof rule.field === "string" ? rule.field : "tag",
    op: (typeof rule.op === "string" ? rule.op : "eq") as Op,
    value: rule.value as Value | undefined,
  };
}

/** Where each condition sits in the JSON: the loc (after "body", "rule") → the condition's id. */
export type LocIndex = Map<string, string>;

/** Builder tree → JSON, with the loc of every condition. */
export function toRule(root: GroupNode): { rule: Rule; locs: LocIndex } {
  const locs: LocIndex = new Map();
  const build = (node: RuleNode, at: (string | number)[]): Rule => {
    if (node.kind === "condition") {
      locs.set(JSON.stringify(at), node.id);
      return { field: node.field, op: node.op, value: node.value ?? "" } as ConditionJson;
    }
    const inner = node.negate ? [...at, "not"] : at;
    // A not read over one rule ({not: condition}) is written back the same way.
    if (node.negate && node.bare && node.children.length === 1) {
      return { not: build(node.children[0]!, inner) } as Rule;
    }
    const group = {
      [node.combinator]: node.children.map((child, index) => build(child, [...inner, node.combinator, index])),
    } as Rule;
    return node.negate ? ({ not: group } as Rule) : group;
  };
  return { rule: build(root, []), locs };
}

export type Part = "field" | "op" | "value";
export interface PlacedErrors {
  /** condition id → part → messages */
  byCondition: Record<string, Partial<Record<Part, string[]>>>;
  general: string[];
}

/** A 422's errors onto the conditions their loc names; the rest (depth, count…) as general. */
export function placeRuleErrors(errors: { loc?: (string | number)[]; msg: string }[], locs: LocIndex): PlacedErrors {
  const placed: PlacedErrors = { byCondition: {}, general: [] };
  for (const error of errors) {
    const loc = (error.loc ?? []).map((part) => (typeof part === "string" && /^\d+$/.test(part) ? Number(part) : part));
    if (loc[0] === "body") loc.shift();
    if (loc[0] === "rule") loc.shift();
    const last = loc[loc.length - 1];
    const part: Part | undefined = last === "field" || last === "op" || last === "value" ? last : undefined;
    const id = locs.get(JSON.stringify(part ? loc.slice(0, -1) : loc));
    if (!id) {
      placed.general.push(error.msg);
      continue;
    }
    const where = (placed.byCondition[id] ??= {});
    (where[part ?? "field"] ??= []).push(error.msg);
  }
  return placed;
}

/** Change one node of the tree (by id), returning a new tree. */
export function updateNode(root: GroupNode, id: string, change: (node: RuleNode) => RuleNode | null): GroupNode {
  const walk = (node: RuleNode): RuleNode | null => {
    if (node.id === id) return change(node);
    if (node.kind === "condition") return node;
    return { ...node, children: node.children.map(walk).filter((child): child is RuleNode => child !== null) };
  };
  return (walk(root) as GroupNode | null) ?? newGroup();
}
