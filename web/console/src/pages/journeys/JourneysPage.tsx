// The journeys, newest first, paged; managers and admins start one blank or from a ready-made
// template (its send steps then need real message templates, chosen in the builder).
import { useQuery } from "@tanstack/react-query";
import { Button, Card, List, Modal, Space } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { CreateButton, TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState, QueryState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { formatTime } from "../../components/format";
import { useJourneysT } from "./messages";
import { STATUS_TONES } from "./view";

const PAGE_SIZE = 20;

export default function JourneysPage() {
  const t = useJourneysT();
  const api = useApi();
  const navigate = useNavigate();
  const [picking, setPicking] = useState(false);
  const pages = useCursorPages(["journeys", "list"], (cursor) => unwrap(api.GET("/v1/journeys", { params: { query: { limit: PAGE_SIZE, cursor } } })));
  const columns = [
    {
      title: t("name"),
      key: "name",
      render: (_: unknown, journey: Schemas["JourneyView"]) => <Link to={`/journeys/${encodeURIComponent(journey.journey_id)}`}>{journey.name}</Link>,
    },
    { title: t("status"), key: "status", render: (_: unknown, journey: Schemas["JourneyView"]) => <ToneTag tone={STATUS_TONES[journey.status]}>{t(`status_${journey.status}`)}</ToneTag> },
    { title: t("latestVersion"), key: "version", render: (_: unknown, journey: Schemas["JourneyView"]) => t("versionLabel", { version: journey.latest_version }) },
    { title: t("updatedAt"), key: "updated", render: (_: unknown, journey: Schemas["JourneyView"]) => formatTime(journey.updated_at) },
  ];
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <TitleBar
        title={t("title")}
        extra={
          <Space wrap>
            <Can op="GET /v1/journey-templates">
              <Can op="POST /v1/journeys">
                <Button onClick={() => setPicking(true)}>{t("newFromTemplate")}</Button>
              </Can>
            </Can>
            <CreateButton op="POST /v1/journeys" onClick={() => navigate("/journeys/new")}>
              {t("newBlank")}
            </CreateButton>
          </Space>
        }
      />
      <Card>
        <PagedTable pages={pages} rowKey="journey_id" columns={columns} size="middle" empty={<EmptyState description={t("noJourneys")} />} scrollLabel={t("listScroller")} />
      </Card>
      <Modal open={picking} onCancel={() => setPicking(false)} footer={null} title={t("pickTemplate")} destroyOnHidden width={640}>
        {picking && <TemplatePicker onPick={(key) => navigate(`/journeys/new?template=${encodeURIComponent(key)}`)} />}
      </Modal>
    </Space>
  );
}

function TemplatePicker({ onPick }: { onPick: (key: string) => void }) {
  const t = useJourneysT();
  const api = useApi();
  const query = useQuery({ queryKey: ["journey-templates"], queryFn: () => unwrap(api.GET("/v1/journey-templates")), staleTime: 5 * 60_000 });
  return (
    <QueryState query={query} isEmpty={(data) => data.items.length === 0} empty={<EmptyState description={t("noTemplates")} />}>
      {(data) => (
        <List
          dataSource={data.items}
          renderItem={(template) => (
            <List.Item
              key={template.key}
              actions={[
                <Button key="use" type="primary" aria-label={`${t("useTemplate")}：${template.name}`} onClick={() => onPick(template.key)}>
                  {t("useTemplate")}
                </Button>,
              ]}
            >
              <List.Item.Meta title={template.name} description={<span style={{ color: "rgba(0,0,0,0.72)" }}>{template.description}</span>} />
            </List.Item>
          )}
        />
      )}
    </QueryState>
  );
}
