// antd's Table with `scroll.x` (which its fixed columns need) scrolls sideways inside its own
// `.ant-table-content` div: unnamed, and out of the keyboard's reach (axe: scrollable-region-focusable).
// Antd passes no attributes to that div, so this names it and puts it in the tab order once rendered
// (again on every render: a table that remounts gets a fresh div).
import { useLayoutEffect, useRef, type ReactNode } from "react";

export const SCROLLER = ".ant-table-content";

export function KeyboardScroll({ label, children }: { label: string; children: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    box.current?.querySelectorAll<HTMLElement>(SCROLLER).forEach((scroller) => {
      scroller.tabIndex = 0;
      scroller.setAttribute("role", "region");
      scroller.setAttribute("aria-label", label);
    });
  });
  return <div ref={box}>{children}</div>;
}
