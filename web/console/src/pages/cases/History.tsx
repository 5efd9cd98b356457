// The case's recorded moves: when, who, from which status to which, and why.
import { Timeline, Typography } from "antd";
import { formatTime } from "../../components/format";
import { useCasesT } from "./messages";
import type { CaseDetail } from "./model";

export function History({ item }: { item: CaseDetail }) {
  const t = useCasesT();
  if (item.history.length === 0) return <Typography.Text type="secondary">{t("noHistory")}</Typography.Text>;
  const actor = (kind: string, id: string) => (kind === "staff" ? t("staff", { id }) : kind === "member" ? t("member") : t("system"));
  return (
    <Timeline
      items={[...item.history].reverse().map((line, index) => ({
        key: `${line.at}-${index}`,
        content: (
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {formatTime(line.at)} · {actor(line.actor_kind, line.actor_id)}
            </Typography.Text>
            <div>
              {line.from_status !== line.to_status &&
                t("historyMove", { from: t(`status_${line.from_status}`), to: t(`status_${line.to_status}`) })}
              {line.reason ? `${line.from_status !== line.to_status ? " · " : ""}${line.reason}` : ""}
            </div>
          </div>
        ),
      }))}
    />
  );
}
