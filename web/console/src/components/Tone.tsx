// Status tags in a few tones, each with text dark enough for WCAG AA on its own light tint (Ant
// Design's preset tag colours — gold, green, orange… — are below 4.5:1 for small text). Each area
// maps its own statuses to a tone (cases/tones.ts, campaigns/view.ts).
import { Tag } from "antd";
import type { ReactNode } from "react";

export type Tone = "neutral" | "info" | "success" | "warning" | "danger" | "note";

export const TONES: Record<Tone, { color: string; background: string; borderColor: string }> = {
  neutral: { color: "rgba(0, 0, 0, 0.88)", background: "#fafafa", borderColor: "#d9d9d9" },
  info: { color: "#003a8c", background: "#e6f4ff", borderColor: "#91caff" },
  success: { color: "#135200", background: "#f6ffed", borderColor: "#b7eb8f" },
  warning: { color: "#873800", background: "#fff7e6", borderColor: "#ffd591" },
  danger: { color: "#a8071a", background: "#fff1f0", borderColor: "#ffa39e" },
  note: { color: "#614700", background: "#fffbe6", borderColor: "#ffe58f" },
};

export function ToneTag({ tone, children, icon, title }: { tone: Tone; children: ReactNode; icon?: ReactNode; title?: string }) {
  return (
    <Tag style={{ ...TONES[tone], marginInlineEnd: 4 }} icon={icon} title={title}>
      {children}
    </Tag>
  );
}
