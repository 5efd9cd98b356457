// Tabs whose choice lives in the URL (`?tab=`), so each tab can be linked to and survives a reload;
// a tab the signed-in role cannot use is not shown. Below the md breakpoint (phones, small tablets)
// the sections are picked from a select instead: a tab bar wider than the screen hides tabs behind
// an overflow button, which also breaks the tab list's ARIA structure (axe: aria-required-children).
import { Grid, Select, Tabs, Typography } from "antd";
import type { ReactNode } from "react";
import { useSearchParams } from "react-router-dom";
import type { Operation } from "@shared/api/access";
import { useCan } from "../app";

export interface LinkedTab {
  key: string;
  label: string;
  /** The operation the tab needs; hidden when the role may not call it. */
  op: Operation;
  render: () => ReactNode;
}

export function LinkedTabs({ tabs, label }: { tabs: LinkedTab[]; label: string }) {
  const can = useCan();
  const screens = Grid.useBreakpoint();
  const [params, setParams] = useSearchParams();
  const visible = tabs.filter((tab) => can(tab.op));
  const active = visible.find((tab) => tab.key === params.get("tab"))?.key ?? visible[0]?.key;
  const choose = (key: string) => setParams({ tab: key });
  const narrow = !screens.md && Object.values(screens).some(Boolean); // jsdom and first paint: wide
  if (narrow) {
    return (
      <>
        <Select
          aria-label={label}
          value={active}
          onChange={choose}
          options={visible.map((tab) => ({ value: tab.key, label: tab.label }))}
          style={{ width: "100%", marginBottom: 16 }}
        />
        <section aria-label={visible.find((tab) => tab.key === active)?.label}>{visible.find((tab) => tab.key === active)?.render()}</section>
      </>
    );
  }
  return (
    <Tabs
      activeKey={active}
      onChange={choose}
      destroyOnHidden
      items={visible.map((tab) => ({ key: tab.key, label: tab.label, children: tab.key === active ? tab.render() : null }))}
    />
  );
}

/** A page that is its title and its linked tabs (points, settings). */
export function TabbedPage({ title, tabs }: { title: string; tabs: LinkedTab[] }) {
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {title}
      </Typography.Title>
      <LinkedTabs tabs={tabs} label={title} />
    </>
  );
}
