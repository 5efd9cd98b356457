// Members joining and leaving customer groups per day (of one owner's groups, or of one group).
import { useQuery } from "@tanstack/react-query";
import { unwrap } from "@shared/api/client";
import { useApi } from "../../app";
import { EmptyState, QueryState } from "../../components/QueryState";
import { Chart } from "../dashboard/Chart";
import { activityOption } from "./activity";
import { useGroupsT } from "./messages";

export function ActivityChart({ owner, chatId, height = 220 }: { owner?: string; chatId?: string; height?: number }) {
  const t = useGroupsT();
  const api = useApi();
  // No from/to: the API's window is the last 30 business days in the tenant's zone (Asia/Shanghai),
  // whatever zone the browser is in (a window from the browser's date missed the day's joins after
  // midnight in Shanghai for a browser still on the day before).
  const query = useQuery({
    queryKey: ["wecom", "group-activity", owner ?? "", chatId ?? ""],
    queryFn: () => unwrap(api.GET("/v1/wecom/group-activity", { params: { query: { owner: owner || undefined, chat_id: chatId } } })),
  });
  return (
    <QueryState query={query} isEmpty={(data) => data.joins === 0 && data.leaves === 0} empty={<EmptyState description={t("noActivity")} />}>
      {(data) => (
        <Chart
          option={activityOption(data, { joins: t("joins"), leaves: t("leaves") })}
          label={t("activityLabel")}
          summary={t("activitySummary", { joins: data.joins, leaves: data.leaves })}
          height={height}
        />
      )}
    </QueryState>
  );
}
