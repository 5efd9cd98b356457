// The chart component pages use: ECharts arrives in its own chunk when the first chart renders,
// the page's figures and text summary do not wait for it.
import { Skeleton } from "antd";
import { lazy, Suspense } from "react";
import type { ChartProps } from "./EChart";

export type { ChartOption, ChartProps } from "./EChart";

const EChart = lazy(() => import("./EChart"));

export function Chart(props: ChartProps) {
  const height = props.height ?? 260;
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
      <EChart {...props} />
    </Suspense>
  );
}
