// A table that may be wider than a phone's screen scrolls sideways inside a named box that the
// keyboard can reach (axe: a scrollable region must be focusable). Put the table inside without
// antd's own `scroll` (which makes an unnamed, unfocusable scroller).
import type { ReactNode } from "react";

export function ScrollBox({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} style={{ overflowX: "auto", maxWidth: "100%" }}>
      {children}
    </div>
  );
}
