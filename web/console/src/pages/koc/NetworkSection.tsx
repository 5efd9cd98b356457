// A chosen contact's influence network: its figures (score, direct and downstream invitees, GMV,
// KOC or not, who invited it), the graph of the contacts its invitations brought to the chosen depth
// (1 to 3 levels) and, for those who cannot see the graph, the same invitations as a table. Clicking
// a node, or a row's button, shows that contact's network instead.
import { useQueries, useQuery } from "@tanstack/react-query";
import { Alert, Button, Col, Flex, Grid, Input, Row, Segmented, Statistic, Table, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useMemo } from "react";
import { Link } from "react-router-dom";
import { unwrap } from "@shared/api/client";
import { useApi } from "../../app";
import { ContactLink, useContactName, useContactNames } from "../../components/ContactLink";
import { formatTime } from "../../components/format";
import { KeyboardScroll } from "../../components/KeyboardScroll";
import { EmptyState, QueryState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { yuan } from "../contacts/facts";
import { formatScore } from "./koc";
import { useKocT } from "./messages";
import { broughtCount, chartHeight, DEPTHS, edgeRows, graphOption, type Depth, type EdgeRow, type Network } from "./network";
import { NetworkChart } from "./NetworkChart";

type T = ReturnType<typeof useKocT>;

function levelName(t: T, depth: number): string {
  return depth >= 0 && depth <= 3 ? t(`level_${depth as 0 | 1 | 2 | 3}`) : String(depth);
}

export function NetworkSection({
  contactId,
  depth,
  onContact,
  onDepth,
}: {
  contactId: string;
  depth: Depth;
  onContact: (contactId: string) => void;
  onDepth: (depth: Depth) => void;
}) {
  const t = useKocT();
  return (
    <Flex vertical gap={16}>
      <Typography.Text type="secondary">{t("networkHelp")}</Typography.Text>
      <Flex wrap gap={12} align="center">
        <Input.Search
          key={contactId}
          aria-label={t("contactId")}
          placeholder={t("contactId")}
          enterButton={t("show")}
          defaultValue={contactId}
          onSearch={(value) => onContact(value.trim())}
          style={{ maxWidth: 420 }}
        />
        <Segmented<Depth> aria-label={t("depth")} value={depth} onChange={onDepth} options={DEPTHS.map((n) => ({ value: n, label: t("depthN", { n }) }))} />
      </Flex>
      {contactId ? <NetworkView contactId={contactId} depth={depth} onContact={onContact} /> : <EmptyState description={t("pickContact")} />}
    </Flex>
  );
}

function NetworkView({ contactId, depth, onContact }: { contactId: string; depth: Depth; onContact: (contactId: string) => void }) {
  const api = useApi();
  const query = useQuery({
    queryKey: ["koc", "network", contactId, depth],
    queryFn: () => unwrap(api.GET("/v1/contacts/{contact_id}/network", { params: { path: { contact_id: contactId }, query: { depth } } })),
  });
  return <QueryState query={query}>{(network) => <NetworkBody network={network} depth={depth} onContact={onContact} />}</QueryState>;
}

function Figures({ network }: { network: Network }) {
  const t = useKocT();
  const root = network.root;
  return (
    <Flex vertical gap={8}>
      <Row gutter={[16, 16]}>
        <Col xs={12} md={6}>
          <Statistic title={t("score")} value={formatScore(root.score)} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t("direct")} value={root.direct} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t("downstream")} value={root.downstream} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t("gmv")} value={yuan(root.gmv_fen)} />
        </Col>
      </Row>
      <Flex wrap gap={8} align="center">
        {root.koc ? <ToneTag tone="success">{t("koc")}</ToneTag> : <ToneTag tone="neutral">{t("notKoc")}</ToneTag>}
        {root.koc_at && <Typography.Text>{t("flaggedAt", { time: formatTime(root.koc_at) })}</Typography.Text>}
        <Typography.Text>
          {t("invitedBy")}
          {root.inviter_id ? <ContactLink id={root.inviter_id} /> : t("none")}
        </Typography.Text>
      </Flex>
    </Flex>
  );
}

/** The programs' names (the network and the tasks name them by id), read once each and shared with
 * their pages' cache; at most the first few programs, an id standing in for any other or one not
 * read (yet). */
export function useProgramNames(campaignIds: string[]): (campaignId: string) => string {
  const api = useApi();
  const ids = useMemo(() => [...new Set(campaignIds)].slice(0, PROGRAM_NAMES), [campaignIds]);
  const programs = useQueries({
    queries: ids.map((campaignId) => ({
      queryKey: ["campaign", campaignId],
      queryFn: () => unwrap(api.GET("/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: campaignId } } })),
      staleTime: 60_000,
    })),
  });
  const names = new Map(programs.flatMap((program, index) => (program.data ? [[ids[index], program.data.name] as const] : [])));
  return (campaignId) => names.get(campaignId) ?? campaignId;
}

const PROGRAM_NAMES = 10;

function NetworkBody({ network, depth, onContact }: { network: Network; depth: Depth; onContact: (contactId: string) => void }) {
  const t = useKocT();
  const screens = Grid.useBreakpoint();
  const id = network.root.contact_id;
  const rows = useMemo(() => edgeRows(network), [network]);
  const programName = useProgramNames(useMemo(() => rows.map((row) => row.campaign_id), [rows]));
  const names = useContactNames(useMemo(() => network.nodes.map((node) => node.contact_id), [network]));
  const rootName = names.get(id) ?? id;
  const option = useMemo(() => graphOption(network, (level) => levelName(t, level), (node) => names.get(node)), [network, t, names]);
  const columns: ColumnsType<EdgeRow> = [
    { title: t("level"), key: "level", render: (_: unknown, row) => levelName(t, row.depth) },
    { title: t("inviter"), key: "inviter", render: (_: unknown, row) => <ContactLink id={row.inviter_id} /> },
    { title: t("invitee"), key: "invitee", render: (_: unknown, row) => <ContactLink id={row.invitee_id} /> },
    { title: t("program"), key: "program", render: (_: unknown, row) => <Link to={`/campaigns/${encodeURIComponent(row.campaign_id)}`}>{programName(row.campaign_id)}</Link> },
    { title: t("joinedAt"), key: "joined", render: (_: unknown, row) => formatTime(row.joined_at) },
    {
      title: t("showNetwork"),
      key: "network",
      render: (_: unknown, row) => <ShowNetworkButton id={row.invitee_id} onShow={onContact} />,
    },
  ];
  return (
    <Flex vertical gap={16}>
      <Figures network={network} />
      {network.truncated && <Alert type="warning" showIcon title={t("truncated")} />}
      {rows.length === 0 ? (
        <EmptyState description={t("noDownstream")} />
      ) : (
        <>
          <NetworkChart
            option={option}
            height={chartHeight(network.nodes.length, Boolean(screens.md))}
            label={t("graph", { name: rootName, depth })}
            summary={t("graphSummary", { name: rootName, count: broughtCount(network), depth, edges: rows.length })}
            onItemClick={(event) => {
              if (event.dataType === "node" && event.name && event.name !== id) onContact(event.name);
            }}
          />
          <Typography.Title level={3} style={{ fontSize: 16, margin: 0 }}>
            {t("edges")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("edgesHelp")}</Typography.Text>
          <KeyboardScroll label={t("edgesScroller")}>
            <Table<EdgeRow>
              rowKey="key"
              dataSource={rows}
              columns={columns}
              pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
              scroll={{ x: "max-content" }}
              size="small"
            />
          </KeyboardScroll>
        </>
      )}
    </Flex>
  );
}

/** Shows a contact's network in place of the one shown; named for the contact (by its name once read). */
export function ShowNetworkButton({ id, onShow }: { id: string; onShow: (contactId: string) => void }) {
  const t = useKocT();
  const name = useContactName(id);
  return (
    <Button size="small" aria-label={t("showNetworkOf", { name })} onClick={() => onShow(id)}>
      {t("showNetwork")}
    </Button>
  );
}
