// Reads more than one area shows: the tenant's agents (settings, the inbox's availability switch
// and assignee picker) and queues (settings, the inbox's filter, a case's transfer). One query key
// each, so a change anywhere refreshes every view of them; read only by the roles that may.
import { useQuery } from "@tanstack/react-query";
import { unwrap } from "@shared/api/client";
import { useApi, useCan } from "../app";

export const AGENTS_KEY = ["agents"] as const;
export const QUEUES_KEY = ["queues"] as const;

export function useAgents() {
  const api = useApi();
  const can = useCan();
  return useQuery({ queryKey: AGENTS_KEY, queryFn: () => unwrap(api.GET("/v1/agents")), enabled: can("GET /v1/agents") });
}

export function useQueues() {
  const api = useApi();
  const can = useCan();
  return useQuery({ queryKey: QUEUES_KEY, queryFn: () => unwrap(api.GET("/v1/queues")), enabled: can("GET /v1/queues") });
}
