"""What contacts derives from a contact's facts: activity, orders, points, lifecycle stage.

Every fact that lands on a contact's timeline (``logic/timeline.py``, ``logic/attribution.py``)
updates the contact's insight in the same transaction, so each fact counts once: a redelivered
event finds its timeline entry and writes nothing. The insight is read, changed by the pure rules
below and written back guarded by its version (a race re-reads it and tries again).

The rules are commutative: first and last times are minimums and maximums, counts are sums,
reported figures (a points balance, a tier) keep the newest report. Facts arriving out of order
give the same insight as in order. The stage is computed from the insight and the time, never
stepped from the previous stage, so a late fact cannot leave a stage behind.

WeCom friendships are kept here too (``with_wecom``, from the adds and removals on the timeline,
``logic/wecom.py``): a customer who removes the last staff member they were friends with (流失) is
churned at once (reason ``wecom_removed``) until they are active again (a new add is activity).
They follow a merge into the survivor's insight and go with an erasure, like the other facts.

Lead scores (``logic/scoring.py``) are part of the insight too: a fact's points are added in the
same write. Time alone changes a stage (no activity for 30 days: dormant) and lowers a lead
grade (decay). Each insight carries the next moment either can happen (``due_at``), indexed by
a sparse index the scheduled sweep reads up to now: it reads only the contacts that are due,
never the table (``sweep``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from services.contacts.dal import insight as dal
from services.contacts.logic import scoring
from services.contacts.models import (
    BUSINESS_ZONE,
    DayOrders,
    Insight,
    InsightView,
    LifecycleRules,
    LifecycleStage,
    TimelineEntry,
    WeComFriendship,
)
from services.contacts.score_models import LeadScoring, ScoreView
from shared import daily
from shared.clock import parse_rfc3339, rfc3339, utc_now
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate
from shared.events.contacts import ContactLifecycleChanged, ContactScoreChanged
from shared.observability import logger
from shared.retry import retry_on_race

WINDOW_DAYS = 365  # the order count and amount are over the last 365 days
# Facts that are the customer doing something (staff tagging them, points expiring are not).
ACTIVITY = frozenset(
    {"MemberLoggedIn", "QrCodeScanned", "OrderPaid", "RewardRedeemed", "CaseOpened", "CaseRated", "WeComContactAdded"}
)
WECOM_ADDED, WECOM_REMOVED = "WeComContactAdded", "WeComContactRemoved"
WECOM_CHURN_REASON = "wecom_removed"
ACTIVE_AWARD_REASONS = frozenset({"checkin"})  # points a member earned by acting (not an order's)
BALANCE_FACTS = frozenset(
    {"PointsAwarded", "PointsReversed", "PointsExpired", "PointsAdjusted", "RewardRedeemed", "RedemptionCancelled"}
)
SWEEP_ATTEMPTS = 5
Settings = tuple[LifecycleRules, LeadScoring]


# The rules (pure) ------------------------------------------------------------------------------
def _earliest(current: str | None, moment: str) -> str:
    return moment if current is None or moment < current else current


def _latest(current: str | None, moment: str) -> str:
    return moment if current is None or moment > current else current


def window_start(now: datetime) -> str:
    """The first business day inside the 365-day window ending today."""
    return (daily.business_day(now, BUSINESS_ZONE) - timedelta(days=WINDOW_DAYS - 1)).isoformat()


def in_window(order_days: dict[str, DayOrders], now: datetime) -> dict[str, DayOrders]:
    start = window_start(now)
    return {day: tally for day, tally in order_days.items() if day >= start}


def window_totals(insight: Insight, now: datetime) -> tuple[int, int]:
    """Orders and amount (fen, never below 0) over the last 365 days."""
    days = in_window(insight.order_days, now).values()
    return sum(day.count for day in days), max(0, sum(day.amount_fen for day in days))


def _with_order(insight: Insight, day: str, count: int, amount_fen: int, now: datetime) -> dict[str, DayOrders]:
    days = in_window(insight.order_days, now)
    tally = days.get(day, DayOrders())
    if day >= window_start(now):
        days[day] = DayOrders(count=tally.count + count, amount_fen=tally.amount_fen + amount_fen)
    return days


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def with_fact(insight: Insight, entry: TimelineEntry, now: datetime) -> Insight:
    """The insight once this fact is counted (without the stage: see ``assess``)."""
    at, summary = entry.occurred_at, entry.summary
    changes: dict[str, Any] = {}
    changes["created_at"] = _earliest(insight.created_at, at)
    if entry.type in ACTIVITY or (entry.type == "PointsAwarded" and summary.get("reason") in ACTIVE_AWARD_REASONS):
        changes["first_active_at"] = _earliest(insight.first_active_at, at)
        changes["last_active_at"] = _latest(insight.last_active_at, at)
    day = daily.business_day(at, BUSINESS_ZONE).isoformat()
    amount = _int(summary.get("amount_fen")) or 0
    if entry.type == "OrderPaid":
        changes["order_days"] = _with_order(insight, day, 1, amount, now)
        changes["orders_total"] = insight.orders_total + 1
        changes["last_order_at"] = _latest(insight.last_order_at, at)
    elif entry.type == "OrderRefunded":  # counted on the refund's day: the order's own may be unknown here
        changes["order_days"] = _with_order(insight, day, 0, -amount, now)
    newer_points = insight.points_at is None or at >= insight.points_at
    if entry.type in BALANCE_FACTS and _int(summary.get("balance")) is not None and newer_points:
        changes |= {"points_balance": summary["balance"], "points_at": at}
    earned = _int(summary.get("lifetime_earned"))
    if earned is not None:
        changes["points_earned"] = max(insight.points_earned, earned)
    newer_tier = insight.tier_at is None or at >= insight.tier_at
    if entry.type == "TierChanged" and isinstance(summary.get("tier"), str) and newer_tier:
        changes |= {"points_tier": summary["tier"], "tier_at": at}
    if entry.type in (WECOM_ADDED, WECOM_REMOVED):
        changes |= with_wecom(insight, entry)
    return insight.model_copy(update=changes)


def friendship_key(staff_id: str, corp_id: str) -> str:
    return f"{staff_id}@{corp_id}"


def with_wecom(insight: Insight, entry: TimelineEntry) -> dict[str, Any]:
    """A WeCom add or removal's change to the contact's friendships, order-safe: an add of
    generation g turns the friendship on when no later (or equal) generation is known; a removal
    of g turns it off unless a later generation is known (so a removal that arrives before its add
    leaves it off). A customer's removal that leaves no friendship on marks the contact lost then
    (``wecom_lost_at``: churned until it is active again); any friendship turned on clears it. A
    half add (awaiting the staff member's acceptance) is not a friendship yet."""
    summary = entry.summary
    staff_id, corp_id, generation = summary.get("staff_id"), summary.get("corp_id"), _int(summary.get("generation"))
    if not isinstance(staff_id, str) or not isinstance(corp_id, str) or generation is None:
        return {}
    key = friendship_key(staff_id, corp_id)
    stored = insight.wecom_friends.get(key)
    friends = dict(insight.wecom_friends)
    if entry.type == WECOM_ADDED:
        if summary.get("half") is True or (stored is not None and generation <= stored.generation):
            return {}
        friends[key] = WeComFriendship(generation=generation, active=True)
        return {"wecom_friends": friends, "wecom_lost_at": None}
    if stored is not None and stored.generation > generation:
        return {}
    friends[key] = WeComFriendship(generation=generation, active=False)
    changes: dict[str, Any] = {"wecom_friends": friends}
    if summary.get("removed_by") == "customer" and not any(friend.active for friend in friends.values()):
        changes["wecom_lost_at"] = _latest(insight.wecom_lost_at, entry.occurred_at)
    return changes


def wecom_churned(insight: Insight) -> bool:
    """The customer removed the last staff member they were WeCom friends with and has not been
    active since."""
    lost = insight.wecom_lost_at
    return lost is not None and (insight.last_active_at is None or insight.last_active_at <= lost)


def _joined_friends(survivor: Insight, alias: Insight) -> dict[str, Any]:
    """A merged contact's friendships with the survivor's: per staff member, the later generation,
    off where both know the same one and either heard of its removal."""
    friends = dict(survivor.wecom_friends)
    for key, theirs in alias.wecom_friends.items():
        mine = friends.get(key)
        if mine is None or (theirs.generation, not theirs.active) > (mine.generation, not mine.active):
            friends[key] = theirs
    losses = [moment for moment in (survivor.wecom_lost_at, alias.wecom_lost_at) if moment]
    on = any(friend.active for friend in friends.values())
    return {"wecom_friends": friends, "wecom_lost_at": None if on or not losses else max(losses)}


def idle_since(insight: Insight) -> str | None:
    """Activity is reckoned from the last activity, or from creation for a contact never active."""
    return insight.last_active_at or insight.created_at


def stage_of(insight: Insight, rules: LifecycleRules, now: datetime) -> LifecycleStage:
    if wecom_churned(insight):
        return "churned"
    since = idle_since(insight)
    if since is not None:
        idle = now - parse_rfc3339(since)
        if idle >= timedelta(days=rules.churned_after_days):
            return "churned"
        if idle >= timedelta(days=rules.dormant_after_days):
            return "dormant"
    if insight.orders_total >= rules.mature_after_orders:
        return "mature"
    if insight.orders_total >= 1 or insight.points_earned >= rules.growing_after_points:
        return "growing"
    return "new"


def next_check(insight: Insight, rules: LifecycleRules, now: datetime) -> str | None:
    """The next moment time alone changes the stage (dormant, then churned); None once churned
    (by time, or by the customer's WeCom removal: only activity changes that)."""
    since = idle_since(insight)
    if since is None or wecom_churned(insight):
        return None
    start = parse_rfc3339(since)
    for days in (rules.dormant_after_days, rules.churned_after_days):
        moment = start + timedelta(days=days)
        if moment > now:
            return rfc3339(moment)
    return None


def _reason(before: Insight, after: Insight, stage: LifecycleStage) -> str:
    if stage == "churned" and wecom_churned(after):
        return WECOM_CHURN_REASON
    if stage in ("dormant", "churned"):
        return "inactivity"
    if after.orders_total != before.orders_total:
        return "order"
    if after.points_earned != before.points_earned:
        return "points"
    return "activity"


def assess(
    before: Insight, after: Insight, settings: Settings, now: datetime, reason: str | None = None
) -> tuple[Insight, list[BaseModel]]:
    """The stage, lead grade and next check of an insight whose facts are ``after``; the events
    of a change."""
    rules, scoring_rules = settings
    stage = stage_of(after, rules, now)
    millis = scoring.score_now(after, scoring_rules, now)
    grade = scoring.grade_of(millis, scoring_rules)
    events: list[BaseModel] = []
    checks = [
        moment for moment in (next_check(after, rules, now), scoring.next_drop(after, scoring_rules, now)) if moment
    ]
    changes: dict[str, Any] = {"due_at": min(checks, default=None), "lead_grade": grade}
    if stage != before.lifecycle:
        changes |= {"lifecycle": stage, "lifecycle_since": rfc3339(now)}
        events.append(
            ContactLifecycleChanged(
                contact_id=after.contact_id,
                previous_stage=before.lifecycle,
                stage=stage,
                reason=reason or _reason(before, after, stage),
                changed_at=now,
            )
        )
    if grade != before.lead_grade:
        events.append(
            ContactScoreChanged(
                contact_id=after.contact_id,
                previous_grade=before.lead_grade,
                grade=grade,
                score=round(millis / scoring.MILLIS),
                changed_at=now,
            )
        )
    return after.model_copy(update=changes), events


def folded(survivor: Insight, alias: Insight, scoring_rules: LeadScoring) -> Insight:
    """The survivor's insight with a merged contact's facts added (once: see ``folded``)."""
    days = dict(survivor.order_days)
    for day, tally in alias.order_days.items():
        mine = days.get(day, DayOrders())
        days[day] = DayOrders(count=mine.count + tally.count, amount_fen=mine.amount_fen + tally.amount_fen)
    newest_points = alias if (alias.points_at or "") > (survivor.points_at or "") else survivor
    newest_tier = alias if (alias.tier_at or "") > (survivor.tier_at or "") else survivor

    def earliest(name: str) -> str | None:
        values = [v for v in (getattr(survivor, name), getattr(alias, name)) if v]
        return min(values) if values else None

    def latest(name: str) -> str | None:
        values = [v for v in (getattr(survivor, name), getattr(alias, name)) if v]
        return max(values) if values else None

    return survivor.model_copy(
        update={
            "created_at": earliest("created_at"),
            "first_active_at": earliest("first_active_at"),
            "last_active_at": latest("last_active_at"),
            "last_order_at": latest("last_order_at"),
            "order_days": days,
            "orders_total": survivor.orders_total + alias.orders_total,
            # The points service sums the two accounts; its next report of the survivor replaces these.
            "points_earned": survivor.points_earned + alias.points_earned,
            "points_balance": (
                None
                if survivor.points_balance is None and alias.points_balance is None
                else (survivor.points_balance or 0) + (alias.points_balance or 0)
            ),
            "points_at": newest_points.points_at,
            "points_tier": newest_tier.points_tier,
            "tier_at": newest_tier.tier_at,
            "folded": [*survivor.folded, alias.contact_id, *alias.folded],
            **_joined_friends(survivor, alias),
            **scoring.folded(survivor, alias, scoring_rules),
        }
    )


def view(insight: Insight, scoring_rules: LeadScoring, now: datetime) -> InsightView:
    orders, amount = window_totals(insight, now)
    return InsightView(
        contact_id=insight.contact_id,
        lifecycle=insight.lifecycle,
        lifecycle_since=insight.lifecycle_since,
        first_active_at=insight.first_active_at,
        last_active_at=insight.last_active_at,
        last_order_at=insight.last_order_at,
        orders_365=orders,
        amount_365_fen=amount,
        orders_total=insight.orders_total,
        points_earned=insight.points_earned,
        points_balance=insight.points_balance,
        points_tier=insight.points_tier,
        rfm=insight.rfm,
        lead_score=round(scoring.score_now(insight, scoring_rules, now) / scoring.MILLIS),
        lead_grade=scoring.grade_of(scoring.score_now(insight, scoring_rules, now), scoring_rules),
        next_check_at=insight.due_at,
    )


# Writing ---------------------------------------------------------------------------------------
def on_fact(tenant_id: str, contact_id: str, entry: TimelineEntry, settings: dal.Settings | None = None) -> Prepare:
    """The insight's change for a fact (its figures, stage, score), to add to the transaction
    that records the fact (reads the insight now: a caller that retries a race asks again).
    ``settings``: the tenant's lifecycle rules and lead scoring, when the caller read them."""
    now = utc_now()
    before = dal.get(tenant_id, contact_id) or Insight(tenant_id=tenant_id, contact_id=contact_id)
    settings = settings or dal.settings(tenant_id)
    counted, awarded = scoring.with_points(with_fact(before, entry, now), entry, settings[1])
    after, events = assess(before, counted, settings, now)
    contributions = [
        {
            "rule_id": rule_id,
            "rule_name": name,
            "type": entry.type,
            "event_id": entry.event_id,
            "occurred_at": entry.occurred_at,
            "points": points,
        }
        for rule_id, name, points in awarded
    ]

    def prepare(tx: Transaction) -> None:
        dal.write(tx, before, after, events, contributions)

    return prepare


def chained(*steps: Prepare | None) -> Prepare:
    """One Prepare that runs several in order (None: skipped)."""

    def prepare(tx: Transaction) -> None:
        for step in steps:
            if step is not None:
                step(tx)

    return prepare


def fold_merge(tenant_id: str, survivor_id: str, alias_ids: list[str]) -> None:
    """Add merged contacts' facts to the survivor's insight, each once (its id is kept in
    ``folded``); the alias's insight leaves the sweep's index."""
    for alias_id in alias_ids:

        def attempt(_: int, alias_id: str = alias_id) -> None:
            survivor = dal.get(tenant_id, survivor_id) or Insight(tenant_id=tenant_id, contact_id=survivor_id)
            if alias_id in survivor.folded or alias_id == survivor_id:
                return
            alias = dal.get(tenant_id, alias_id)
            if alias is None:
                return
            now = utc_now()
            settings = dal.settings(tenant_id)
            after, events = assess(survivor, folded(survivor, alias, settings[1]), settings, now, "merge")
            tx = dal.transaction()
            dal.write(tx, survivor, after, events)
            dal.write(tx, alias, alias.model_copy(update={"due_at": None}), [])
            tx.commit()
            # The alias's score contributions join the survivor's breakdown (same keys: a repeat
            # writes the same items).
            dal.copy_contributions(tenant_id, alias_id, survivor_id)

        retry_on_race(attempt, races=ConcurrentUpdate, attempts=SWEEP_ATTEMPTS)


def get_view(tenant_id: str, contact_id: str) -> InsightView:
    insight = dal.get(tenant_id, contact_id) or Insight(tenant_id=tenant_id, contact_id=contact_id)
    return view(insight, dal.settings(tenant_id)[1], utc_now())


def lifecycle_rules(tenant_id: str) -> LifecycleRules:
    return dal.settings(tenant_id)[0]


def set_lifecycle_rules(tenant_id: str, rules: LifecycleRules) -> LifecycleRules:
    """New rules apply to each contact at its next fact or check (a check already scheduled
    under the old rules still runs then, and reschedules under the new ones)."""
    dal.save_setting(tenant_id, "LIFECYCLE", rules)
    return rules


def lead_scoring(tenant_id: str) -> LeadScoring:
    return dal.settings(tenant_id)[1]


def set_lead_scoring(tenant_id: str, scoring_rules: LeadScoring) -> LeadScoring:
    """New rules score the facts that come after; points already earned stay (and decay under
    the new half-life from now on); grades move at each contact's next fact or check."""
    dal.save_setting(tenant_id, "LEAD_SCORING", scoring.check(scoring_rules))
    return scoring_rules


def score_of(tenant_id: str, contact_id: str, limit: int, cursor: str | None) -> ScoreView:
    insight = dal.get(tenant_id, contact_id) or Insight(tenant_id=tenant_id, contact_id=contact_id)
    scoring_rules = dal.settings(tenant_id)[1]
    now = utc_now()
    page = dal.contributions_page(tenant_id, contact_id, limit, cursor)
    millis = scoring.score_now(insight, scoring_rules, now)
    return ScoreView(
        contact_id=contact_id,
        score=round(millis / scoring.MILLIS),
        grade=scoring.grade_of(millis, scoring_rules),
        half_life_days=scoring_rules.half_life_days,
        contributions=[scoring.contribution(item, scoring_rules, now) for item in page.items],
        next_cursor=page.next_cursor,
    )


# The sweep ---------------------------------------------------------------------------------------
@dataclass
class SweepReport:
    due: int = 0
    changed: int = 0
    items_read: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        per_due = round(self.items_read / self.due, 2) if self.due else 0
        return {**self.__dict__, "items_read_per_due": per_due}


def sweep(only_tenant: str | None = None) -> SweepReport:
    """Every contact whose next check is due: its stage reassessed, its next check rescheduled.
    Reads the due index up to now (only what is due: each due insight whole, as the index
    projects it) and, once per tenant, its rules. The change is written on the condition that the
    insight is still the version read; if a fact changed it meanwhile (the index lags the table),
    it is read again, consistently. Running it again changes nothing. ``only_tenant``: the other
    tenants' due contacts are read from the index but left (tests share one stack)."""
    now = utc_now()
    report = SweepReport()
    settings: dict[str, Settings] = {}
    for seen in dal.due(rfc3339(now)):
        tenant_id, contact_id = seen.tenant_id, seen.contact_id
        if only_tenant is not None and tenant_id != only_tenant:
            continue
        report.due += 1
        report.items_read += 1  # its entry in the index
        if tenant_id not in settings:
            settings[tenant_id] = dal.settings(tenant_id)
            report.items_read += 2  # one query, both settings

        def attempt(
            number: int, tenant_id: str = tenant_id, contact_id: str = contact_id, seen: Insight = seen
        ) -> list[BaseModel]:
            before: Insight | None = seen
            if number > 0:
                before = dal.get(tenant_id, contact_id)
                report.items_read += 1
            if before is None or before.due_at is None or before.due_at > rfc3339(now):
                return []  # rescheduled by a fact meanwhile (the index lags the item)
            after, events = assess(before, before, settings[tenant_id], now)
            tx = dal.transaction()
            dal.write(tx, before, after, events)
            tx.commit()
            return events

        events = retry_on_race(attempt, races=ConcurrentUpdate, attempts=SWEEP_ATTEMPTS)
        if events:  # a new stage or grade: the contact's segments may change
            from services.contacts.logic import segments

            segments.reevaluate_quietly(tenant_id, [contact_id])
        for event in events:
            report.changed += 1
            stage = getattr(event, "stage", "")
            report.by_stage[stage] = report.by_stage.get(stage, 0) + 1
    logger.info("lifecycle sweep", extra=report.as_dict())
    return report
