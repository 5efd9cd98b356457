// The signed-in agent's own availability (PUT /v1/agents/{me}/availability): only that attribute is
// written, so a manager's change of the rest of the profile (queues, capacity) made meanwhile
// stays. Someone who is not an agent yet (no profile: the API answers 404) is told to ask a manager.
import { ApiError, unwrap } from "@shared/api/client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Flex, Radio, Skeleton, Typography } from "antd";
import { useId } from "react";
import { useApi, useCan, useSession } from "../../app";
import { AGENTS_KEY, useAgents } from "../../components/queries";
import { ErrorState } from "../../components/QueryState";
import { problemText } from "../../components/problems";
import { useCasesT } from "./messages";
import { AVAILABILITIES, keys, type Availability } from "./model";

export function AvailabilitySwitch() {
  const t = useCasesT();
  const api = useApi();
  const can = useCan();
  const { staffId } = useSession();
  const client = useQueryClient();
  const { message } = App.useApp();
  const labelId = useId();
  const agents = useAgents();
  const me = agents.data?.items.find((agent) => agent.staff_id === staffId);
  const change = useMutation({
    mutationFn: (availability: Availability) =>
      unwrap(api.PUT("/v1/agents/{staff_id}/availability", { params: { path: { staff_id: staffId } }, body: { availability } })),
    onSuccess: () => {
      void message.success(t("availabilitySaved"));
      // Coming online hands out waiting cases: the inbox changes too.
      void client.invalidateQueries({ queryKey: AGENTS_KEY });
      void client.invalidateQueries({ queryKey: keys.cases });
    },
    onError: (error) => {
      // No profile (removed meanwhile): the agents' list shows it, and the switch gives way.
      if (error instanceof ApiError && error.status === 404) void client.invalidateQueries({ queryKey: AGENTS_KEY });
      void message.error(problemText(error));
    },
  });
  if (!can("PUT /v1/agents/{staff_id}/availability") || !can("GET /v1/agents")) return null;
  if (agents.isPending) return <Skeleton.Input active size="small" />;
  if (agents.isError) return <ErrorState error={agents.error} onRetry={() => void agents.refetch()} />;
  if (!me) return <Alert type="info" showIcon title={t("notAnAgent")} />;
  return (
    <Flex wrap gap={12} align="center">
      <Typography.Text strong id={labelId}>
        {t("availability")}
      </Typography.Text>
      <Radio.Group
        aria-labelledby={labelId}
        optionType="button"
        buttonStyle="solid"
        value={change.isPending ? change.variables : me.availability}
        disabled={change.isPending}
        onChange={(event) => change.mutate(event.target.value as Availability)}
        options={AVAILABILITIES.map((value) => ({ value, label: t(`availability_${value}`) }))}
      />
      <Typography.Text type="secondary">
        {t("availabilityLoad", { open: me.open_cases, capacity: me.capacity, queues: me.queues.join(", ") || t("none") })}
      </Typography.Text>
    </Flex>
  );
}
