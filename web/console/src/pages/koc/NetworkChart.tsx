// The network graph as pages use it (as the dashboard's Chart): ECharts and its graph series arrive
// in their own chunk, the page's figures and its table of invitations do not wait for them.
import { Skeleton } from "antd";
import { lazy, Suspense } from "react";
import type { ChartProps } from "../dashboard/EChart";
import type { NetworkOption } from "./network";

const NetworkEChart = lazy(() => import("./NetworkEChart"));

export function NetworkChart(props: ChartProps<NetworkOption>) {
  const height = props.height ?? 360;
  return (
    <Suspense
      fallback={
        <figure style={{ margin: 0 }}>
          <div role="img" aria-label={props.label} aria-busy="true" style={{ height, overflow: "hidden" }}>
            <Skeleton active />
          </div>
          <figcaption style={{ marginTop: 8 }}>{props.summary}</figcaption>
        </figure>
      }
    >
      <NetworkEChart {...props} height={height} />
    </Suspense>
  );
}
