// The case view (/console/cases/:caseId): header with status, priority and SLA; the thread and
// the reply box (with knowledge-base suggestions); status, assignment, priority and tags; history.
import { unwrap } from "@shared/api/client";
import { useQuery } from "@tanstack/react-query";
import { Card, Col, Descriptions, Flex, Row, Typography } from "antd";
import { useParams } from "react-router-dom";
import { useApi } from "../../app";
import { ContactLink } from "../../components/ContactLink";
import { formatTime } from "../../components/format";
import { BackLink } from "../../components/headings";
import { QueryState } from "../../components/QueryState";
import { CaseActions } from "./CaseActions";
import { History } from "./History";
import { useCasesT } from "./messages";
import { keys, type CaseDetail } from "./model";
import { ReplyBox } from "./ReplyBox";
import { SlaBadges } from "./SlaBadge";
import { Thread } from "./Thread";
import { ToneTag } from "../../components/Tone";
import { PRIORITY_TONE, STATUS_TONE } from "./tones";

/** A reply still on its way: the page looks again until the channel says how it went. */
function deliveryPending(item: CaseDetail | undefined): boolean {
  return Boolean(item?.messages.some((message) => message.delivery && (message.delivery.status === "requested" || message.delivery.status === "sending")));
}

function Header({ item }: { item: CaseDetail }) {
  const t = useCasesT();
  return (
    <Flex vertical gap={8}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0, overflowWrap: "anywhere" }}>
        {item.subject}
      </Typography.Title>
      <Flex wrap gap={4} align="center">
        <ToneTag tone="neutral">{t(`type_${item.type}`)}</ToneTag>
        <span data-testid="case-status">
          <ToneTag tone={STATUS_TONE[item.status]}>{t(`status_${item.status}`)}</ToneTag>
        </span>
        <ToneTag tone={PRIORITY_TONE[item.priority]}>{t(`priority_${item.priority}`)}</ToneTag>
        <SlaBadges item={item} />
      </Flex>
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2, lg: 3 }}
        items={[
          { key: "id", label: t("caseId"), children: item.case_id },
          { key: "contact", label: t("contact"), children: item.contact_id ? <ContactLink id={item.contact_id} /> : "—" },
          { key: "order", label: t("orderId"), children: item.order_id ?? "—" },
          { key: "queue", label: t("queue"), children: item.queue_id ?? "—" },
          { key: "assignee", label: t("assignee"), children: item.assignee ?? t("nobody") },
          { key: "channel", label: t("channel"), children: item.channel ?? "—" },
          { key: "created", label: t("createdAt"), children: formatTime(item.created_at) },
          ...(item.tags.length ? [{ key: "tags", label: t("tags"), children: item.tags.join(", ") }] : []),
        ]}
      />
    </Flex>
  );
}

export default function CasePage() {
  const t = useCasesT();
  const api = useApi();
  const { caseId = "" } = useParams();
  const query = useQuery({
    queryKey: keys.case(caseId),
    queryFn: () => unwrap(api.GET("/v1/cases/{case_id}", { params: { path: { case_id: caseId } } })),
    refetchInterval: (current) => (deliveryPending(current.state.data) ? 1500 : false),
  });
  return (
    <Flex vertical gap={16}>
      <BackLink to="/cases">{t("backToInbox")}</BackLink>
      <QueryState query={query}>
        {(item) => (
          <Flex vertical gap={16}>
            <Header item={item} />
            <Row gutter={[16, 16]}>
              <Col xs={24} lg={15}>
                <Flex vertical gap={16}>
                  <Card size="small" title={t("thread")}>
                    <Thread item={item} />
                  </Card>
                  <ReplyBox caseId={item.case_id} closed={item.status === "closed"} />
                </Flex>
              </Col>
              <Col xs={24} lg={9}>
                <Flex vertical gap={16}>
                  <CaseActions item={item} />
                  <Card size="small" title={t("history")}>
                    <History item={item} />
                  </Card>
                </Flex>
              </Col>
            </Row>
          </Flex>
        )}
      </QueryState>
    </Flex>
  );
}
