// A contact's influence network (`GET /v1/contacts/{id}/network`) for the page: the depth asked for
// (kept in the URL), the graph's option (one node a contact, coloured by level; one arrow an
// invitation) and the same invitations as rows of text for the table beside it. Only types come from
// ECharts here: the library itself loads with the chart.
import type { GraphSeriesOption } from "echarts/charts";
import type { LegendComponentOption, TooltipComponentOption } from "echarts/components";
import type { ComposeOption } from "echarts/core";
import type { Schemas } from "@shared/api/client";

export type Network = Schemas["Network"];
export type NetworkOption = ComposeOption<GraphSeriesOption | LegendComponentOption | TooltipComponentOption>;
export type Depth = 1 | 2 | 3;

export const DEPTHS: readonly Depth[] = [1, 2, 3];
export const DEFAULT_DEPTH: Depth = 3;

/** The depth the URL asks for; anything else is the default (all three levels). */
export function depthParam(value: string | null): Depth {
  return DEPTHS.find((depth) => String(depth) === value) ?? DEFAULT_DEPTH;
}

/** A contact id short enough for a node's label ("…" and its last 6 characters); the whole id is in
 * the tooltip and the table. */
export function shortId(id: string): string {
  return id.length > 10 ? `…${id.slice(-6)}` : id;
}

export interface EdgeRow {
  key: string;
  inviter_id: string;
  invitee_id: string;
  campaign_id: string;
  joined_at: string;
  /** The invitee's level below the contact asked about (1 to 3). */
  depth: number;
}

/** The network's invitations whose two contacts are both in it (a cut network may name one that is
 * not), level by level, then in the order they joined. */
export function edgeRows(network: Network): EdgeRow[] {
  const depths = new Map(network.nodes.map((node) => [node.contact_id, node.depth]));
  return network.edges
    .filter((edge) => depths.has(edge.inviter_id) && depths.has(edge.invitee_id))
    .map((edge) => ({ key: `${edge.inviter_id}>${edge.invitee_id}`, ...edge, depth: depths.get(edge.invitee_id) ?? 0 }))
    .sort((a, b) => a.depth - b.depth || a.joined_at.localeCompare(b.joined_at) || a.invitee_id.localeCompare(b.invitee_id));
}

/** How many contacts the network holds below the one asked about. */
export function broughtCount(network: Network): number {
  return network.nodes.filter((node) => node.depth > 0).length;
}

const SYMBOL_SIZE = [32, 20, 14, 10];
/** Up to this many nodes every node is labelled; beyond it only the contact asked about. */
const LABEL_ALL_UP_TO = 40;

/** The force layout's spacing: a few contacts spread over the chart, hundreds packed closer. */
export function forceOf(nodeCount: number): { repulsion: number; edgeLength: [number, number]; gravity: number } {
  if (nodeCount <= 10) return { repulsion: 500, edgeLength: [90, 130], gravity: 0.08 };
  if (nodeCount <= 60) return { repulsion: 200, edgeLength: [50, 90], gravity: 0.1 };
  return { repulsion: 60, edgeLength: [20, 40], gravity: 0.2 };
}

/** The chart's height: a small network needs less room than a large one; a phone less than a desk. */
export function chartHeight(nodeCount: number, wide: boolean): number {
  const height = nodeCount <= 6 ? 300 : nodeCount <= 30 ? 380 : 460;
  return wide ? height : Math.min(height, 340);
}

/** The graph: a force layout of the contacts, a category (legend entry, colour) per level; each
 * contact labelled by its name where known, else the end of its id. */
export function graphOption(network: Network, levelName: (depth: number) => string, nameOf: (id: string) => string | undefined = () => undefined): NetworkOption {
  const deepest = Math.max(0, ...network.nodes.map((node) => node.depth));
  const categories = Array.from({ length: deepest + 1 }, (_, depth) => ({ name: levelName(depth) }));
  const labelAll = network.nodes.length <= LABEL_ALL_UP_TO;
  return {
    animationDuration: 300,
    tooltip: { confine: true },
    legend: { top: 0, data: categories.map((category) => category.name), textStyle: { color: "#333" } },
    series: [
      {
        type: "graph",
        layout: "force",
        top: 40,
        roam: true,
        draggable: true,
        force: forceOf(network.nodes.length),
        categories,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 7,
        lineStyle: { color: "#8c8c8c", width: 1.2, opacity: 0.9 },
        label: { position: "right", color: "#262626", fontSize: 11 },
        emphasis: { focus: "adjacency", lineStyle: { width: 2 } },
        data: network.nodes.map((node) => ({
          id: node.contact_id,
          name: node.contact_id,
          category: node.depth,
          symbolSize: SYMBOL_SIZE[node.depth] ?? 10,
          label: { show: labelAll || node.depth === 0, formatter: nameOf(node.contact_id) ?? shortId(node.contact_id) },
        })),
        links: edgeRows(network).map((edge) => ({ source: edge.inviter_id, target: edge.invitee_id })),
      },
    ],
  };
}
