// @vitest-environment node
import { broughtCount, chartHeight, depthParam, edgeRows, forceOf, graphOption, shortId, type Network } from "./network";

const influence = { contact_id: "ct_A", inviter_id: null, direct: 1, downstream: 3, gmv_fen: 0, score: 6, koc: true, koc_at: "2026-03-01T00:00:00Z" };
const edge = (inviter: string, invitee: string, joined: string) => ({ inviter_id: inviter, invitee_id: invitee, campaign_id: "cmp_1", joined_at: joined });

const network: Network = {
  root: influence,
  nodes: [
    { contact_id: "ct_A", depth: 0 },
    { contact_id: "ct_B", depth: 1 },
    { contact_id: "ct_C", depth: 2 },
    { contact_id: "ct_E", depth: 1 },
  ],
  edges: [
    edge("ct_B", "ct_C", "2026-03-02T00:00:00Z"),
    edge("ct_A", "ct_E", "2026-03-03T00:00:00Z"),
    edge("ct_A", "ct_B", "2026-03-01T00:00:00Z"),
    edge("ct_C", "ct_X", "2026-03-04T00:00:00Z"), // cut off: ct_X is not among the nodes
  ],
  truncated: true,
};

describe("depthParam", () => {
  it("reads 1 to 3 from the URL and anything else as all three levels", () => {
    expect(["1", "2", "3", "4", "0", "x", null].map(depthParam)).toEqual([1, 2, 3, 3, 3, 3, 3]);
  });
});

describe("edgeRows", () => {
  it("lists the invitations level by level, in the order they joined, without those leaving the network", () => {
    expect(edgeRows(network).map((row) => [row.inviter_id, row.invitee_id, row.depth])).toEqual([
      ["ct_A", "ct_B", 1],
      ["ct_A", "ct_E", 1],
      ["ct_B", "ct_C", 2],
    ]);
  });

  it("counts the contacts below the one asked about", () => {
    expect(broughtCount(network)).toBe(3);
  });
});

describe("graphOption", () => {
  it("draws a node per contact, coloured by level, and an arrow per invitation", () => {
    const option = graphOption(network, (depth) => `L${depth}`);
    const series = (option.series as { data: { id: string; category: number; label: { show: boolean } }[]; links: { source: string; target: string }[]; categories: { name: string }[] }[])[0];
    expect(series.categories.map((category) => category.name)).toEqual(["L0", "L1", "L2"]);
    expect(series.data.map((node) => [node.id, node.category])).toEqual([
      ["ct_A", 0],
      ["ct_B", 1],
      ["ct_C", 2],
      ["ct_E", 1],
    ]);
    expect(series.links).toEqual([
      { source: "ct_A", target: "ct_B" },
      { source: "ct_A", target: "ct_E" },
      { source: "ct_B", target: "ct_C" },
    ]);
    expect(series.data.every((node) => node.label.show)).toBe(true);
  });

  it("labels each contact by its name where known, else by the end of its id", () => {
    const names = new Map([["ct_A", "甲"]]);
    const series = (graphOption(network, String, (id) => names.get(id)).series as { data: { label: { formatter: string } }[] }[])[0];
    expect(series.data.map((node) => node.label.formatter)).toEqual(["甲", shortId("ct_B"), shortId("ct_C"), shortId("ct_E")]);
  });

  it("labels only the contact asked about in a large network", () => {
    const many: Network = {
      ...network,
      nodes: [{ contact_id: "ct_A", depth: 0 }, ...Array.from({ length: 60 }, (_, n) => ({ contact_id: `ct_${n}`, depth: 1 }))],
      edges: Array.from({ length: 60 }, (_, n) => edge("ct_A", `ct_${n}`, "2026-03-01T00:00:00Z")),
    };
    const series = (graphOption(many, String).series as { data: { label: { show: boolean } }[] }[])[0];
    expect(series.data.filter((node) => node.label.show)).toHaveLength(1);
  });
});

describe("shortId", () => {
  it("keeps a short id and shortens a long one to its end", () => {
    expect(shortId("ct_A")).toBe("ct_A");
    expect(shortId("ct_01J9Z8Y7X6W5V4")).toBe("…X6W5V4");
  });
});

describe("the graph's size", () => {
  it("spreads a few contacts out and packs many closer, in a chart as tall as the network needs", () => {
    expect(forceOf(3).edgeLength[0]).toBeGreaterThan(forceOf(30).edgeLength[0]);
    expect(forceOf(30).repulsion).toBeGreaterThan(forceOf(300).repulsion);
    expect([chartHeight(3, true), chartHeight(20, true), chartHeight(400, true)]).toEqual([300, 380, 460]);
    expect(chartHeight(400, false)).toBe(340);
  });
});
