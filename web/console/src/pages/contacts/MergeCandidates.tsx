// Possible duplicates: pairs of contacts sharing a phone or email that were not merged
// automatically (another identity conflicts), a cursor page at a time; each pair side by side
// (name, identities, tags, created) and, for the roles that may, a merge behind a confirmation
// asking why. A merged pair leaves the list and links to the contact that was kept.
import { MergeCellsOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Descriptions, Drawer, Form, Input, Modal, Row, Space, Tag, Typography } from "antd";
import { useRef, useState } from "react";
import type { TextAreaRef } from "antd/es/input/TextArea";
import { Link } from "react-router-dom";
import { ApiError, unwrap, type Schemas } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { CursorPager, useCursorPages } from "../../components/cursor";
import { formatTime } from "../../components/format";
import { FormProblems, useProblemForm } from "../../components/forms";
import { useCommonT } from "../../components/messages";
import { problemText } from "../../components/problems";
import { EmptyState, QueryState } from "../../components/QueryState";
import { evidenceLabel } from "./ContactMerges";
import { useInsightT } from "./insightMessages";

const PAGE = 10;

type Candidate = Schemas["MergeCandidate"];
type ContactView = Schemas["ContactView"];

function nameOf(contact: ContactView, unnamed: string): string {
  return contact.name || contact.identities.phone || contact.identities.email || unnamed;
}

function Profile({ contactId, heading }: { contactId: string; heading: string }) {
  const t = useInsightT();
  const api = useApi();
  const query = useQuery({
    queryKey: ["contact", contactId],
    queryFn: () => unwrap(api.GET("/v1/contacts/{contact_id}", { params: { path: { contact_id: contactId } } })),
  });
  return (
    <Card size="small" title={<span>{heading}</span>} style={{ height: "100%" }}>
      <QueryState query={query}>
        {(contact) => {
          const ids = contact.identities;
          const openids = Object.entries(ids.openids ?? {});
          return (
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t("name")}>
                <Link to={`/contacts/${encodeURIComponent(contact.contact_id)}`}>{nameOf(contact, t("unnamed"))}</Link>
              </Descriptions.Item>
              <Descriptions.Item label="ID">
                <Typography.Text style={{ overflowWrap: "anywhere" }}>{contact.contact_id}</Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t("evidence_phone")}>{ids.phone ?? "—"}</Descriptions.Item>
              <Descriptions.Item label={t("evidence_email")}>{ids.email ?? "—"}</Descriptions.Item>
              <Descriptions.Item label={t("evidence_unionid")}>{ids.unionid ?? "—"}</Descriptions.Item>
              {ids.external_userid && <Descriptions.Item label={t("evidence_external_userid")}>{ids.external_userid}</Descriptions.Item>}
              {openids.map(([app, openid]) => (
                <Descriptions.Item key={app} label={`openid (${app})`}>
                  {openid}
                </Descriptions.Item>
              ))}
              <Descriptions.Item label={t("tags")}>
                {contact.tags.length ? (
                  <Space size={[0, 4]} wrap>
                    {contact.tags.map((tag) => (
                      <Tag key={tag}>{tag}</Tag>
                    ))}
                  </Space>
                ) : (
                  t("none")
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t("created")}>{formatTime(contact.created_at)}</Descriptions.Item>
            </Descriptions>
          );
        }}
      </QueryState>
    </Card>
  );
}

interface MergeValues {
  reason: string;
}

function MergeAction({ candidate, onMerged }: { candidate: Candidate; onMerged: (survivor: ContactView) => void }) {
  const t = useInsightT();
  const common = useCommonT();
  const api = useApi();
  const [open, setOpen] = useState(false);
  const reason = useRef<TextAreaRef>(null);
  const [form] = Form.useForm<MergeValues>();
  const problems = useProblemForm(form);
  const [first, second] = candidate.contact_ids;
  const merge = useMutation({
    mutationFn: (values: MergeValues) =>
      unwrap(
        api.POST("/v1/contacts/{contact_id}/merge", {
          params: { path: { contact_id: first ?? "" } },
          body: { from_contact_id: second ?? "", reason: values.reason.trim() },
        }),
      ),
    onSuccess: (survivor) => {
      setOpen(false);
      form.resetFields();
      problems.clear();
      onMerged(survivor);
    },
    onError: (error) => problems.onError(error),
  });
  const close = () => {
    setOpen(false);
    problems.clear();
  };
  const conflict = merge.error instanceof ApiError && merge.error.status === 409;
  return (
    <>
      <Button type="primary" icon={<MergeCellsOutlined />} onClick={() => setOpen(true)}>
        {t("merge")}
      </Button>
      <Modal
        open={open}
        title={t("mergeTitle")}
        onCancel={close}
        okText={t("mergeConfirm")}
        cancelText={common("cancel")}
        okButtonProps={{ loading: merge.isPending, danger: true }}
        onOk={() => form.submit()}
        destroyOnHidden
        maskClosable={false}
        // Once open, not on mount: the dialog takes focus itself as it opens, and without its zoom
        // (reduced motion) that comes after the field's own autoFocus.
        afterOpenChange={(opened) => opened && reason.current?.focus()}
      >
        <Typography.Paragraph>{t("mergeWarning")}</Typography.Paragraph>
        {conflict ? (
          <Alert type="error" showIcon style={{ marginBottom: 12 }} title={t("mergeConflict", { detail: problemText(merge.error) })} />
        ) : (
          <FormProblems messages={problems.general} />
        )}
        <Form form={form} layout="vertical" onFinish={(values) => merge.mutate(values)} initialValues={{ reason: "" }}>
          <Form.Item
            name="reason"
            label={t("mergeReason")}
            rules={[{ validator: (_, value: string) => (value && value.trim() ? Promise.resolve() : Promise.reject(new Error(t("mergeReasonRequired")))) }]}
          >
            <Input.TextArea ref={reason} rows={3} maxLength={500} showCount />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function CandidatePair({ candidate, onMerged }: { candidate: Candidate; onMerged: (survivor: ContactView) => void }) {
  const t = useInsightT();
  const [first, second] = candidate.contact_ids;
  const headingId = `candidate-${candidate.candidate_id}`;
  return (
    <section aria-labelledby={headingId} style={{ border: "1px solid #f0f0f0", borderRadius: 8, padding: 12 }}>
      <div style={{ display: "flex", flexWrap: "wrap", gap: 8, justifyContent: "space-between", alignItems: "center", marginBottom: 12 }}>
        <div>
          <Typography.Title level={3} id={headingId} style={{ fontSize: 15, margin: 0 }}>
            {t("candidateHeading", {
              evidence: evidenceLabel(t, candidate.evidence),
              conflicts: candidate.conflicts.map((kind) => evidenceLabel(t, kind)).join("、") || t("none"),
            })}
          </Typography.Title>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t("candidateFound", { at: formatTime(candidate.found_at) })}
          </Typography.Text>
        </div>
        <Can op="POST /v1/contacts/{contact_id}/merge">
          <MergeAction candidate={candidate} onMerged={onMerged} />
        </Can>
      </div>
      <Row gutter={[12, 12]}>
        <Col xs={24} md={12}>
          {first && <Profile contactId={first} heading={t("contactA")} />}
        </Col>
        <Col xs={24} md={12}>
          {second && <Profile contactId={second} heading={t("contactB")} />}
        </Col>
      </Row>
    </section>
  );
}

export function MergeCandidateList() {
  const t = useInsightT();
  const api = useApi();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [merged, setMerged] = useState<Record<string, ContactView>>({});
  const pages = useCursorPages(["contacts", "merge-candidates"], (cursor) =>
    unwrap(api.GET("/v1/contacts/merge-candidates", { params: { query: { limit: PAGE, ...(cursor ? { cursor } : {}) } } })),
  );
  const onMerged = (candidate: Candidate) => (survivor: ContactView) => {
    setMerged((current) => ({ ...current, [candidate.candidate_id]: survivor }));
    for (const id of candidate.contact_ids) client.removeQueries({ queryKey: ["contact", id] });
    void client.invalidateQueries({ queryKey: ["contacts"] });
    void message.success(t("merged"));
  };
  const survivors = Object.entries(merged);
  return (
    <Space orientation="vertical" size={12} style={{ width: "100%" }}>
      <Typography.Paragraph style={{ margin: 0 }}>{t("candidatesIntro")}</Typography.Paragraph>
      {survivors.map(([id, survivor]) => (
        <Alert
          key={id}
          type="success"
          showIcon
          title={<Link to={`/contacts/${encodeURIComponent(survivor.contact_id)}`}>{t("mergedGoTo", { name: nameOf(survivor, t("unnamed")) })}</Link>}
        />
      ))}
      <QueryState
        query={pages.query}
        isEmpty={(page) => page.items.filter((item) => !merged[item.candidate_id]).length === 0 && !page.next_cursor && !pages.hasPrevious}
        empty={<EmptyState description={t("candidatesEmpty")} />}
      >
        {(page) => (
          <>
            {page.items
              .filter((item) => !merged[item.candidate_id])
              .map((item) => (
                <CandidatePair key={item.candidate_id} candidate={item} onMerged={onMerged(item)} />
              ))}
            <CursorPager pages={pages} />
          </>
        )}
      </QueryState>
    </Space>
  );
}

/** The button on the contacts list that opens the candidates in a drawer (for the roles that may list them). */
export function MergeCandidatesButton() {
  const t = useInsightT();
  const [open, setOpen] = useState(false);
  return (
    <Can op="GET /v1/contacts/merge-candidates">
      <Button icon={<MergeCellsOutlined />} onClick={() => setOpen(true)}>
        {t("candidatesButton")}
      </Button>
      <Drawer open={open} onClose={() => setOpen(false)} title={t("candidatesTitle")} size="large" destroyOnHidden styles={{ wrapper: { maxWidth: "100vw" } }}>
        {open && <MergeCandidateList />}
      </Drawer>
    </Can>
  );
}
