// Check-in: today's button, the streak, the cycle's rewards and this month's calendar.
import Button from "antd-mobile/es/components/button";
import Toast from "antd-mobile/es/components/toast";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { ApiError, unwrap, type Api, type Schemas } from "@shared/api/client";
import { problemText } from "@shared/api/problems";
import { useApi, useMemberApp } from "../../app";
import { QueryState } from "../../components/QueryState";
import { useCommonT } from "../../messages";
import { CheckinCalendar } from "./CheckinCalendar";
import { checkedInDays } from "./checkinDays";
import { useCheckinT } from "./messages";

type Entry = Schemas["Entry"];
const MAX_PAGES = 5;

/** The member's credits back to the start of `month` (at most a few pages): the check-ins among them. */
async function creditsSince(api: Api, month: string): Promise<Entry[]> {
  const found: Entry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await unwrap(
      api.GET("/v1/me/points/entries", { params: { query: { limit: 200, cursor, type: ["credit"] } } }),
    );
    found.push(...answer.items);
    const oldest = answer.items.at(-1);
    if (!answer.next_cursor || (oldest && oldest.created_at.slice(0, 7) < month)) break;
    cursor = answer.next_cursor;
  }
  return found;
}

export default function CheckinPage() {
  const t = useCheckinT();
  const common = useCommonT();
  const api = useApi();
  const { session } = useMemberApp();
  const client = useQueryClient();
  const status = useQuery({
    queryKey: ["me", session?.contactId, "checkins"],
    queryFn: () => unwrap(api.GET("/v1/me/checkins")),
  });
  const month = status.data?.today.slice(0, 7);
  const credits = useQuery({
    queryKey: ["me", session?.contactId, "checkin-credits", month],
    queryFn: () => creditsSince(api, month!),
    enabled: Boolean(month),
  });
  const checkIn = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/me/checkins")),
    onSuccess: (done) => Toast.show({ content: t("done", { points: done.points }) }),
    onError: (error) =>
      Toast.show({
        content: error instanceof ApiError && error.reason === "already_checked_in" ? t("already") : problemText(error, common("networkError")),
      }),
    onSettled: () => client.invalidateQueries({ queryKey: ["me", session?.contactId] }),
  });
  const checked = useMemo(
    () => (status.data ? checkedInDays(status.data, credits.data ?? []) : new Set<string>()),
    [status.data, credits.data],
  );

  return (
    <>
      <h1 className="m-title">{t("title")}</h1>
      <QueryState query={status}>
        {(data) => {
          // Today's place in the cycle: the day just checked in, or the one a check-in now would be.
          const position = (data.checked_in_today ? data.streak - 1 : data.streak) % Math.max(data.cycle.length, 1);
          return (
            <>
              <section className="m-card m-center m-stack">
                <div className="m-streak" aria-live="polite" data-testid="streak">
                  {t("streakBefore")}
                  <strong>{data.streak}</strong>
                  {data.streak === 1 ? t("streakAfterOne") : t("streakAfter")}
                </div>
                <p className="m-muted">
                  {data.checked_in_today
                    ? t("nextTomorrow", { points: data.next_points })
                    : t("nextToday", { points: data.next_points })}
                </p>
                <Button
                  color="primary"
                  size="large"
                  block
                  disabled={data.checked_in_today}
                  loading={checkIn.isPending}
                  onClick={() => checkIn.mutate()}
                >
                  {data.checked_in_today ? t("checkedIn") : t("checkIn")}
                </Button>
              </section>
              <section className="m-card" aria-labelledby="cycle-title">
                <h2 id="cycle-title" className="m-subtitle" style={{ marginTop: 0 }}>
                  {t("cycle")}
                </h2>
                <ol className="m-cycle">
                  {data.cycle.map((points, i) => (
                    <li key={i} data-current={i === position ? "true" : undefined}>
                      <div>{t("cycleDay", { day: i + 1 })}</div>
                      <strong>+{points}</strong>
                    </li>
                  ))}
                </ol>
              </section>
              <section className="m-card">
                <CheckinCalendar month={data.today.slice(0, 7)} checked={checked} today={data.today} />
              </section>
            </>
          );
        }}
      </QueryState>
    </>
  );
}
