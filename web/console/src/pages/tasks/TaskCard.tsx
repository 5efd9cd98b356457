// One task: its title and due time, the customer's context (name, lifecycle stage, tags, points),
// the journey's note, the suggested message with a copy button, and complete / skip while open.
import { CheckOutlined, ForwardOutlined } from "@ant-design/icons";
import { Button, Card, Descriptions, Flex, Space, Tag, Typography } from "antd";
import { Link } from "react-router-dom";
import { Can, useCan } from "../../app";
import { formatTime } from "../../components/format";
import { ToneTag } from "../../components/Tone";
import { useTasksT } from "./messages";
import { taskState, type Task } from "./view";

export function TaskCard({ task, onClose }: { task: Task; onClose: (action: "complete" | "skip") => void }) {
  const t = useTasksT();
  const can = useCan();
  const state = taskState(task);
  const customer = task.customer;
  const name = customer?.name || t("unknownCustomer", { id: task.contact_id });
  const headingId = `task-${task.task_id}`;
  return (
    <Card
      size="small"
      role="article"
      aria-labelledby={headingId}
      data-testid="task"
      title={
        <Flex wrap gap={8} align="center">
          <Typography.Title level={2} id={headingId} style={{ fontSize: 16, margin: 0, whiteSpace: "normal" }}>
            {task.title}
          </Typography.Title>
          <ToneTag tone={state.tone}>{t(state.key)}</ToneTag>
        </Flex>
      }
    >
      <Descriptions column={{ xs: 1, sm: 2, lg: 3 }} size="small">
        <Descriptions.Item label={t("customer")}>
          {can("GET /v1/contacts/{contact_id}") ? <Link to={`/contacts/${encodeURIComponent(task.contact_id)}`}>{name}</Link> : name}
        </Descriptions.Item>
        <Descriptions.Item label={t("due")}>{formatTime(task.due_at)}</Descriptions.Item>
        {customer?.lifecycle_stage && <Descriptions.Item label={t("stage")}>{customer.lifecycle_stage}</Descriptions.Item>}
        {customer?.points_balance != null && <Descriptions.Item label={t("points")}>{customer.points_balance}</Descriptions.Item>}
        {customer?.tags && customer.tags.length > 0 && (
          <Descriptions.Item label={t("tags")}>
            <Space size={4} wrap>
              {customer.tags.map((tag) => (
                <Tag key={tag}>{tag}</Tag>
              ))}
            </Space>
          </Descriptions.Item>
        )}
        {task.note && <Descriptions.Item label={t("note")}>{task.note}</Descriptions.Item>}
        {task.closed_at && <Descriptions.Item label={t("closedAt")}>{formatTime(task.closed_at)}</Descriptions.Item>}
        {task.outcome_note && <Descriptions.Item label={t("outcome")}>{task.outcome_note}</Descriptions.Item>}
      </Descriptions>
      {task.suggested_message && (
        <div style={{ marginTop: 8 }}>
          <Typography.Text strong>{t("suggested")}</Typography.Text>
          <Typography.Paragraph
            data-testid="suggested-message"
            copyable={{ text: task.suggested_message, tooltips: [t("copy"), t("copied")] }}
            style={{ background: "#f5f5f5", padding: 8, borderRadius: 6, marginTop: 4, whiteSpace: "pre-wrap" }}
          >
            {task.suggested_message}
          </Typography.Paragraph>
        </div>
      )}
      {task.status === "open" && (
        <Flex gap={8} wrap style={{ marginTop: 8 }}>
          <Can op="POST /v1/me/tasks/{task_id}/complete">
            <Button type="primary" icon={<CheckOutlined />} onClick={() => onClose("complete")}>
              {t("complete")}
            </Button>
          </Can>
          <Can op="POST /v1/me/tasks/{task_id}/skip">
            <Button icon={<ForwardOutlined />} onClick={() => onClose("skip")}>
              {t("skip")}
            </Button>
          </Can>
        </Flex>
      )}
    </Card>
  );
}
