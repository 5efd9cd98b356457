// ECharts, tree-shaken: only the charts, components and the SVG renderer the console draws with.
// Never imported directly by a page: `Chart.tsx` loads this module lazily, so ECharts is a chunk of
// its own that the pages drawing charts (the dashboard, a campaign's funnel) fetch after their own
// code — neither the console's entry nor the dashboard's chunk carries it. A chart of another kind
// (the KOC page's network graph) registers its series in a lazily loaded module of its own that
// renders this component with its own option type, so the bar and line charts never carry it.
import { BarChart, LineChart } from "echarts/charts";
import type { BarSeriesOption, LineSeriesOption } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from "echarts/components";
import { init, use, type ComposeOption, type ECElementEvent, type ECharts, type EChartsCoreOption } from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import { useEffect, useRef, type ReactNode } from "react";

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
>;

/** The console's palette: the theme's green first, every colour readable on white. */
export const PALETTE = ["#0a7b55", "#1f5fbf", "#b35c00", "#8a3ab9", "#b3261e", "#00687a"];

export interface ChartProps<O extends EChartsCoreOption = ChartOption> {
  option: O;
  /** The accessible name of the chart. */
  label: string;
  /** The chart's figures as text, shown under it. */
  summary: ReactNode;
  height?: number;
  /** A click on one of the chart's items (a bar, a graph's node): ECharts' event for it. */
  onItemClick?: (event: ECElementEvent) => void;
}

/** A chart with an accessible name (the container is an image to assistive technology) and its
 * figures as text beside it, for those who cannot see the chart. */
export default function EChart<O extends EChartsCoreOption = ChartOption>({ option, label, summary, height = 260, onItemClick }: ChartProps<O>) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const clicked = useRef(onItemClick);
  useEffect(() => {
    clicked.current = onItemClick;
  }, [onItemClick]);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: "svg" });
    chart.current = instance;
    instance.on("click", (event) => clicked.current?.(event as ECElementEvent));
    const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => instance.resize());
    observer?.observe(element);
    return () => {
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ color: PALETTE, ...option }, true);
  }, [option]);
  return (
    <figure style={{ margin: 0 }}>
      <div ref={box} role="img" aria-label={label} style={{ width: "100%", height }} />
      <figcaption style={{ marginTop: 8 }}>{summary}</figcaption>
    </figure>
  );
}
