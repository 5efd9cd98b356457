// The network graph's ECharts module: registers the graph series (the console's other charts never
// load it) and draws with the dashboard's chart component. Never imported directly: NetworkChart.tsx
// loads it lazily, so the graph's code arrives in its own chunk when the first network is drawn.
import { GraphChart } from "echarts/charts";
import { use } from "echarts/core";
import EChart, { type ChartProps } from "../dashboard/EChart";
import type { NetworkOption } from "./network";

use([GraphChart]);

export default function NetworkEChart(props: ChartProps<NetworkOption>) {
  return <EChart<NetworkOption> {...props} />;
}
