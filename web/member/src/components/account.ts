import { useQuery } from "@tanstack/react-query";
import { unwrap } from "@shared/api/client";
import { useApi, useMemberApp } from "../app";

/** GET /v1/me/points: balance, tier, lifetime points, points expiring soon. */
export function useAccount() {
  const api = useApi();
  const { session } = useMemberApp();
  return useQuery({
    queryKey: ["me", session?.contactId, "points"],
    queryFn: () => unwrap(api.GET("/v1/me/points")),
  });
}
