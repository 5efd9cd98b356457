// One 群接龙: its figures, the member H5 link to share in the group and the entries in number order.
import { CopyOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { App, Button, Descriptions, Flex, Modal, Table, Typography } from "antd";
import { useId } from "react";
import { Link } from "react-router-dom";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi, useCan, useSession } from "../../app";
import { formatTime } from "../../components/format";
import { EmptyState, QueryState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { useGroupsT } from "./messages";
import { shareLink } from "./share";

export function SignupDetail({ sheetId, onClose }: { sheetId: string | null; onClose: () => void }) {
  const t = useGroupsT();
  const api = useApi();
  const query = useQuery({
    queryKey: ["wecom", "signups", "detail", sheetId ?? ""],
    queryFn: () => unwrap(api.GET("/v1/wecom/signups/{sheet_id}", { params: { path: { sheet_id: sheetId ?? "" } } })),
    enabled: Boolean(sheetId),
  });
  return (
    <Modal open={Boolean(sheetId)} title={query.data?.title ?? t("signupDetail")} onCancel={onClose} footer={<Button onClick={onClose}>{t("closeDetail")}</Button>} width={720} destroyOnHidden>
      <QueryState query={query}>{(sheet) => <SheetBody sheet={sheet} />}</QueryState>
    </Modal>
  );
}

function SheetBody({ sheet }: { sheet: Schemas["SignupDetail"] }) {
  const t = useGroupsT();
  const { tenantId } = useSession();
  const can = useCan();
  const { message } = App.useApp();
  const ids = useId();
  const link = shareLink(sheet.link_path, tenantId);
  const copy = () =>
    void navigator.clipboard
      ?.writeText(link)
      .then(() => message.success(t("copied")))
      .catch(() => undefined);
  return (
    <Flex vertical gap={16}>
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2 }}
        items={[
          { key: "capacity", label: t("capacity"), children: sheet.capacity },
          { key: "taken", label: t("taken"), children: sheet.taken },
          { key: "left", label: t("placesLeft"), children: sheet.places_left },
          { key: "deadline", label: t("deadline"), children: formatTime(sheet.deadline) },
          { key: "status", label: t("status"), children: sheet.open ? <ToneTag tone="success">{t("signupOpen")}</ToneTag> : <ToneTag tone="neutral">{t("signupClosed")}</ToneTag> },
        ]}
      />
      <section aria-labelledby={`${ids}-share`}>
        <Typography.Title level={3} id={`${ids}-share`} style={{ fontSize: 15 }}>
          {t("shareLink")}
        </Typography.Title>
        <Flex gap={8} wrap align="center">
          <Typography.Text code data-testid="share-link" style={{ wordBreak: "break-all" }}>
            {link}
          </Typography.Text>
          <Button icon={<CopyOutlined />} size="small" onClick={copy}>
            {t("copy")}
          </Button>
        </Flex>
        <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }}>{t("shareHint")}</Typography.Paragraph>
      </section>
      <section aria-labelledby={`${ids}-entries`}>
        <Typography.Title level={3} id={`${ids}-entries`} style={{ fontSize: 15 }}>
          {t("entries")}
        </Typography.Title>
        {sheet.entries.length === 0 ? (
          <EmptyState description={t("noEntries")} />
        ) : (
          <Table<Schemas["SignupEntryView"]>
            rowKey="number"
            size="small"
            pagination={false}
            dataSource={sheet.entries}
            scroll={{ x: "max-content" }}
            columns={[
              { title: t("number"), dataIndex: "number", key: "number", width: 72 },
              {
                title: t("contact"),
                dataIndex: "contact_id",
                key: "contact",
                render: (id: string) => (can("GET /v1/contacts/{contact_id}") ? <Link to={`/contacts/${id}`}>{id}</Link> : id),
              },
              { title: t("signedUpAt"), dataIndex: "joined_at", key: "joined", render: formatTime },
            ]}
          />
        )}
      </section>
    </Flex>
  );
}
