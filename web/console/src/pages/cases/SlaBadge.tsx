// One SLA target of a case as a badge: due in X, due soon, breached, met, paused or none.
import { CheckCircleOutlined, ClockCircleOutlined, ExclamationCircleOutlined, PauseCircleOutlined } from "@ant-design/icons";
import { useEffect, useState } from "react";
import { formatTime } from "../../components/format";
import { useCasesT, type CasesT } from "./messages";
import type { CaseDetail, CaseView } from "./model";
import { durationParts, slaOfCase, slaState, type SlaInput, type SlaState, type SlaTarget } from "./sla";
import { ToneTag, type Tone } from "../../components/Tone";

/** The current time, again every `everyMs` (badges count down while the page is open). */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function duration(t: CasesT, minutes: number): string {
  const { key, values } = durationParts(minutes);
  return t(key, values);
}

export function slaText(t: CasesT, target: SlaTarget, state: SlaState): string {
  const label = t(`sla_${target}`);
  switch (state.kind) {
    case "none":
      return t("slaNone", { target: label });
    case "met":
      return t("slaMet", { target: label });
    case "paused":
      return t("slaPaused", { target: label });
    case "breached":
      return state.overdueMinutes ? t("slaBreachedBy", { target: label, time: duration(t, state.overdueMinutes) }) : t("slaBreached", { target: label });
    case "due_soon":
      return t("slaDueSoon", { target: label, time: duration(t, state.minutes) });
    case "due":
      return t("slaDue", { target: label, time: duration(t, state.minutes) });
  }
}

const TONE: Record<SlaState["kind"], Tone> = { none: "neutral", met: "success", paused: "neutral", breached: "danger", due_soon: "warning", due: "info" };
const ICON = {
  none: null,
  met: <CheckCircleOutlined />,
  paused: <PauseCircleOutlined />,
  breached: <ExclamationCircleOutlined />,
  due_soon: <ClockCircleOutlined />,
  due: <ClockCircleOutlined />,
} as const;

/** Give either the case (list item or detail) or the target's SLA fields directly. */
export function SlaBadge({ target, item, sla, now }: { target: SlaTarget; item?: CaseView | CaseDetail; sla?: SlaInput; now?: number }) {
  const t = useCasesT();
  const ticking = useNow();
  const input = sla ?? (item ? slaOfCase(item, target) : { dueAt: null, breached: false, met: false, paused: false });
  const state = slaState(input, now ?? ticking);
  const title = "dueAt" in state ? t("slaDueAt", { at: formatTime(state.dueAt) }) : undefined;
  return (
    <span data-sla={state.kind} data-target={target}>
      <ToneTag tone={TONE[state.kind]} icon={ICON[state.kind]} title={title}>
        {slaText(t, target, state)}
      </ToneTag>
    </span>
  );
}

export function SlaBadges({ item, now }: { item: CaseView | CaseDetail; now?: number }) {
  return (
    <span style={{ display: "inline-flex", flexWrap: "wrap", gap: 4 }}>
      <SlaBadge target="first_response" item={item} now={now} />
      <SlaBadge target="resolution" item={item} now={now} />
    </span>
  );
}
