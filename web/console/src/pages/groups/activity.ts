// The daily joins/leaves of customer groups as a chart's option: a bar per day for each.
import type { Schemas } from "@shared/api/client";
import type { ChartOption } from "../dashboard/Chart";

export type Activity = Schemas["GroupActivity"];

export function activityOption(activity: Activity, names: { joins: string; leaves: string }): ChartOption {
  return {
    tooltip: { trigger: "axis" },
    legend: { data: [names.joins, names.leaves], bottom: 0 },
    grid: { left: 32, right: 12, top: 16, bottom: 48 },
    xAxis: { type: "category", data: activity.items.map((day) => day.date.slice(5)) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: names.joins, type: "bar", data: activity.items.map((day) => day.joins) },
      { name: names.leaves, type: "bar", data: activity.items.map((day) => day.leaves) },
    ],
  };
}
