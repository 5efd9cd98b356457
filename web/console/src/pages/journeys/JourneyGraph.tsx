// The journey drawn as a graph: the trigger, then the steps in layers from the entry (left to
// right), each a button with its type, summary and per-step stats; its links (next / yes / no /
// timeout) as arrows. Wider than the screen on a phone: the box scrolls horizontally.
import { ThunderboltOutlined } from "@ant-design/icons";
import type { Schemas } from "@shared/api/client";
import { layout, linksOf, type Definition, type Link } from "./graph";
import { useJourneysT } from "./messages";
import { stepSummary, triggerSummary, type Names } from "./view";

const NODE_W = 196;
const NODE_H = 128;
const COL_GAP = 52;
const ROW_GAP = 28;
const PAD = 12;

export const TRIGGER_NODE = "__trigger__";

const x = (column: number) => PAD + column * (NODE_W + COL_GAP);
const y = (row: number) => PAD + row * (NODE_H + ROW_GAP);

export function JourneyGraph({
  definition,
  stats,
  names,
  selected,
  problems,
  onSelect,
}: {
  definition: Definition;
  stats?: Schemas["StepStats"][];
  names: Names;
  selected: string | null;
  problems: Record<string, string[]>;
  onSelect: (id: string) => void;
}) {
  const t = useJourneysT();
  const { placed, layers, rows } = layout(definition);
  // Column 0 is the trigger; the steps' layers follow.
  const position = new Map(placed.map((p) => [p.id, { left: x(p.layer + 1), top: y(p.row), column: p.layer + 1 }]));
  const width = x(layers + 1) - COL_GAP + PAD;
  const height = y(Math.max(rows, 1)) - ROW_GAP + PAD + 40;
  const byStep = new Map((stats ?? []).map((s) => [s.step_id, s]));
  const links: Link[] = [{ from: TRIGGER_NODE, to: definition.entry, kind: "next" }, ...definition.steps.flatMap(linksOf)];
  const at = (id: string) => (id === TRIGGER_NODE ? { left: x(0), top: y(0), column: 0 } : position.get(id));
  return (
    <div role="group" aria-label={t("graphLabel", { count: definition.steps.length })} style={{ overflowX: "auto", overflowY: "hidden", WebkitOverflowScrolling: "touch" }}>
      <div style={{ position: "relative", width, height, minWidth: width }}>
        <svg width={width} height={height} style={{ position: "absolute", inset: 0 }} aria-hidden="true" focusable="false">
          <defs>
            <marker id="journey-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#595959" />
            </marker>
          </defs>
          {links.map((link, index) => {
            const from = at(link.from);
            const to = at(link.to);
            if (!from || !to) return null;
            const forward = to.column > from.column;
            const sx = forward ? from.left + NODE_W : from.left + NODE_W / 2;
            const sy = forward ? from.top + NODE_H / 2 : from.top + NODE_H;
            const tx = forward ? to.left : to.left + NODE_W / 2;
            const ty = forward ? to.top + NODE_H / 2 : to.top + NODE_H;
            const bend = forward ? Math.max(24, (tx - sx) / 2) : 0;
            const d = forward ? `M ${sx} ${sy} C ${sx + bend} ${sy}, ${tx - bend} ${ty}, ${tx} ${ty}` : `M ${sx} ${sy} C ${sx} ${sy + 36}, ${tx} ${ty + 36}, ${tx} ${ty}`;
            const label = link.kind === "next" ? null : t(`link_${link.kind}`);
            const colour = link.kind === "no" || link.kind === "timeout_next" ? "#a8071a" : link.kind === "yes" ? "#135200" : "#595959";
            return (
              <g key={`${link.from}-${link.kind}-${index}`} data-link={`${link.from}->${link.to}`}>
                <path d={d} fill="none" stroke={colour} strokeWidth={1.5} strokeDasharray={forward ? undefined : "4 3"} markerEnd="url(#journey-arrow)" />
                {label && (
                  <text x={(sx + tx) / 2} y={(sy + ty) / 2 + (forward ? -6 : 30)} fontSize={12} fill={colour} textAnchor="middle">
                    {label}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
        <NodeBox left={x(0)} top={y(0)} selected={selected === TRIGGER_NODE} error={false} onClick={() => onSelect(TRIGGER_NODE)} testId="step-trigger">
          <strong>
            <ThunderboltOutlined /> {t("trigger")}
          </strong>
          <span style={summaryStyle}>{triggerSummary(t, definition.trigger, names)}</span>
        </NodeBox>
        {definition.steps.map((step) => {
          const p = position.get(step.id);
          if (!p) return null;
          const s = byStep.get(step.id);
          const error = Boolean(problems[step.id]?.length);
          return (
            <NodeBox key={step.id} left={p.left} top={p.top} selected={selected === step.id} error={error} onClick={() => onSelect(step.id)} testId={`step-${step.id}`}>
              <span style={{ display: "flex", justifyContent: "space-between", gap: 4 }}>
                <strong>{t(`step_${step.type}`)}</strong>
                <span style={{ color: "#595959", fontSize: 12 }}>{step.id}</span>
              </span>
              <span style={summaryStyle}>{stepSummary(t, step, names)}</span>
              {stats && (
                <span style={{ display: "grid", gridTemplateColumns: "repeat(4, 1fr)", gap: 2, fontSize: 11, color: "#434343", textAlign: "center" }} data-testid={`stats-${step.id}`}>
                  <Stat label={t("statEntered")} value={s?.entered} />
                  <Stat label={t("statWaiting")} value={s?.waiting} />
                  <Stat label={t("statPassed")} value={s?.passed} />
                  <Stat label={t("statExited")} value={s?.exited} />
                </span>
              )}
            </NodeBox>
          );
        })}
      </div>
    </div>
  );
}

const summaryStyle = { fontSize: 13, lineHeight: "18px", overflow: "hidden", display: "-webkit-box", WebkitLineClamp: 2, WebkitBoxOrient: "vertical" as const, flex: 1 };

function Stat({ label, value }: { label: string; value: number | undefined }) {
  return (
    <span>
      <span style={{ display: "block" }}>{label}</span>
      <span style={{ display: "block", fontSize: 14, fontWeight: 600, color: "rgba(0,0,0,0.88)" }}>{value ?? 0}</span>
    </span>
  );
}

function NodeBox({ left, top, selected, error, onClick, testId, children }: { left: number; top: number; selected: boolean; error: boolean; onClick: () => void; testId: string; children: React.ReactNode }) {
  return (
    <button
      type="button"
      data-testid={testId}
      data-error={error ? "true" : undefined}
      aria-pressed={selected}
      onClick={onClick}
      style={{
        position: "absolute",
        left,
        top,
        width: NODE_W,
        height: NODE_H,
        display: "flex",
        flexDirection: "column",
        gap: 4,
        textAlign: "left",
        padding: "8px 10px",
        borderRadius: 8,
        cursor: "pointer",
        font: "inherit",
        color: "rgba(0,0,0,0.88)",
        background: error ? "#fff1f0" : selected ? "#e6f4ff" : "#ffffff",
        border: error ? "2px solid #cf1322" : selected ? "2px solid #1677ff" : "1px solid #bfbfbf",
        boxShadow: "0 1px 2px rgba(0,0,0,0.06)",
      }}
    >
      {children}
    </button>
  );
}
