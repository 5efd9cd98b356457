// The contacts list: filtered by identity, tag, owner and source campaign (kept in the URL),
// paged by the API's cursor; a guide sees only the contacts they own (the API says which).
import { useQuery } from "@tanstack/react-query";
import { Card, Space, Tag } from "antd";
import { useMemo } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useSession } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { TitleBar } from "../../components/headings";
import { ContactFilterForm } from "./ContactFilterForm";
import { MergeCandidatesButton } from "./MergeCandidates";
import { contactsQuery, filtersFromParams, filtersToParams, isFiltered } from "./filters";
import { useContactsT } from "./messages";
import { contactName, lifecycleLabel } from "./view";
import { formatTime } from "../../components/format";

const PAGE_SIZE = 20;

export default function ContactsPage() {
  const t = useContactsT();
  const api = useApi();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const campaigns = useQuery({
    queryKey: ["campaigns", "options"],
    queryFn: () => unwrap(api.GET("/v1/campaigns", { params: { query: { limit: 200 } } })),
  });
  const campaignNames = useMemo(
    () => new Map((campaigns.data?.items ?? []).map((campaign) => [campaign.campaign_id, campaign.name])),
    [campaigns.data],
  );
  const pages = useCursorPages(["contacts", contactsQuery(filters)], (cursor) =>
    unwrap(api.GET("/v1/contacts", { params: { query: contactsQuery(filters, PAGE_SIZE, cursor) } })),
  );
  const onlyGuide = session.roles.every((role) => role === "guide");
  const columns = [
    {
      title: t("name"),
      key: "name",
      render: (_: unknown, contact: Schemas["ContactView"]) => <Link to={`/contacts/${encodeURIComponent(contact.contact_id)}`}>{contactName(contact, t("unnamed"))}</Link>,
    },
    { title: t("phone"), key: "phone", render: (_: unknown, contact: Schemas["ContactView"]) => contact.identities.phone ?? "—" },
    {
      title: t("tags"),
      key: "tags",
      render: (_: unknown, contact: Schemas["ContactView"]) => (
        <Space size={[0, 4]} wrap>
          {contact.tags.map((tag) => (
            <Tag key={tag}>{tag}</Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t("owners"),
      key: "owners",
      render: (_: unknown, contact: Schemas["ContactView"]) => Object.values(contact.owners).join(", ") || "—",
    },
    {
      title: t("source"),
      key: "source",
      render: (_: unknown, contact: Schemas["ContactView"]) => {
        const campaign = contact.source?.["campaign_id"];
        if (!campaign) return "—";
        return <Link to={`/campaigns/${encodeURIComponent(campaign)}`}>{campaignNames.get(campaign) ?? campaign}</Link>;
      },
    },
    { title: t("lifecycle"), key: "lifecycle", render: (_: unknown, contact: Schemas["ContactView"]) => lifecycleLabel(t, contact.lifecycle_stage) },
    { title: t("createdAt"), key: "created", render: (_: unknown, contact: Schemas["ContactView"]) => formatTime(contact.created_at) },
  ];
  return (
    <Space orientation="vertical" size={16} style={{ width: "100%" }}>
      <TitleBar title={t("title")} extra={<MergeCandidatesButton />} />
      <Card>
        <ContactFilterForm
          value={filters}
          onChange={(next) => setParams(filtersToParams(next))}
          campaigns={(campaigns.data?.items ?? []).map((campaign) => ({ value: campaign.campaign_id, label: campaign.name }))}
          campaignsLoading={campaigns.isPending}
          showOwner={!onlyGuide}
        />
      </Card>
      <Card>
        <PagedTable
          pages={pages}
          rowKey="contact_id"
          columns={columns}
          size="middle"
          empty={<EmptyState description={isFiltered(filters) ? t("noMatch") : t("noContacts")} />}
          scrollLabel={t("listScroller")}
        />
      </Card>
    </Space>
  );
}
