"""The nightly RFM batch: each tenant's buyers scored 1 to 5 on recency, frequency and monetary
value from the tenant's own distribution, and put in one of the eight classic groups.

Who is scored: contacts with at least one order over the last 365 days (the others have no RFM).
Their values: R = days since the last order, F = orders over 365 days, M = amount (fen) over 365
days. A score is the value's place in the tenant's distribution, by fifths:
``1 + floor(5 * buyers with a worse value / buyers)``, so equal values score the same and the best
fifth scores 5 (for R, fewer days is better). A group compares each value with the tenant's
average (R high: at most the average days; F and M high: at least the average), the classic
RFM model's rule: R, F, M high → 重要价值 … all low → 一般挽留.

The batch reads every insight with a parallel scan (never on a request path; one tenant alone is
read through its contact listing instead) and writes only the contacts whose scores changed.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.contacts.dal import contacts as contacts_dal
from services.contacts.dal import insight as dal
from services.contacts.logic import segments
from services.contacts.logic.insight import in_window
from services.contacts.models import DayOrders, Rfm, RfmGroup
from shared.clock import parse_rfc3339, rfc3339, utc_now
from shared.observability import logger

SCAN_SEGMENTS = 4
GROUPS: dict[tuple[bool, bool, bool], RfmGroup] = {
    (True, True, True): "重要价值",
    (True, False, True): "重要发展",
    (False, True, True): "重要保持",
    (False, False, True): "重要挽留",
    (True, True, False): "一般价值",
    (True, False, False): "一般发展",
    (False, True, False): "一般保持",
    (False, False, False): "一般挽留",
}


@dataclass(frozen=True)
class Buyer:
    contact_id: str
    recency_days: int
    orders: int
    amount_fen: int


@dataclass
class RfmReport:
    tenants: int = 0
    scanned: int = 0
    scored: int = 0
    changed: int = 0
    groups: dict[str, int] = field(default_factory=dict)


def buyer_of(item: dict[str, Any], now: datetime) -> Buyer | None:
    """A contact's RFM values, or None when it ordered nothing over 365 days."""
    days = in_window({day: DayOrders.model_validate(tally) for day, tally in item.get("order_days", {}).items()}, now)
    orders = sum(tally.count for tally in days.values())
    if orders <= 0 or not item.get("last_order_at"):
        return None
    recency = max(0, (now - parse_rfc3339(item["last_order_at"])).days)
    return Buyer(item["contact_id"], recency, orders, max(0, sum(tally.amount_fen for tally in days.values())))


def _scores(values: Sequence[int]) -> list[int]:
    """Each value's fifth of the distribution (higher values better)."""
    ordered = sorted(values)
    count = len(ordered)
    return [min(5, 1 + 5 * bisect_left(ordered, value) // count) for value in values]


def score(buyers: Sequence[Buyer], computed_at: str) -> dict[str, Rfm]:
    """One tenant's buyers scored against each other."""
    if not buyers:
        return {}
    recency = _scores([-buyer.recency_days for buyer in buyers])
    frequency = _scores([buyer.orders for buyer in buyers])
    monetary = _scores([buyer.amount_fen for buyer in buyers])
    count = len(buyers)
    mean_days = sum(buyer.recency_days for buyer in buyers) / count
    mean_orders = sum(buyer.orders for buyer in buyers) / count
    mean_amount = sum(buyer.amount_fen for buyer in buyers) / count
    scored: dict[str, Rfm] = {}
    for index, buyer in enumerate(buyers):
        high = (buyer.recency_days <= mean_days, buyer.orders >= mean_orders, buyer.amount_fen >= mean_amount)
        scored[buyer.contact_id] = Rfm(
            recency=recency[index],
            frequency=frequency[index],
            monetary=monetary[index],
            group=GROUPS[high],
            computed_at=computed_at,
        )
    return scored


def _same(stored: Any, new: Rfm | None) -> bool:
    if new is None or not stored:
        return new is None and not stored
    return Rfm.model_validate(stored).model_copy(update={"computed_at": new.computed_at}) == new


def _every_tenants_insights() -> dict[str, list[dict[str, Any]]]:
    with ThreadPoolExecutor(SCAN_SEGMENTS) as pool:
        parts = list(pool.map(lambda segment: list(dal.scan_segment(segment, SCAN_SEGMENTS)), range(SCAN_SEGMENTS)))
    by_tenant: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for part in parts:
        for item in part:
            by_tenant[item["tenant_id"]].append(item)
    return by_tenant


def _one_tenants_insights(tenant_id: str) -> dict[str, list[dict[str, Any]]]:
    """One tenant's insights through its contact listing (an index partition, no scan)."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        contact_ids, cursor = contacts_dal.contact_ids_page(tenant_id, 1000, cursor)
        insights = dal.get_many(tenant_id, contact_ids)
        items += [insight.model_dump(mode="json", include=set(dal.RFM_FIELDS)) for insight in insights.values()]
        if cursor is None:
            return {tenant_id: items}


def run(only_tenant: str | None = None) -> RfmReport:
    """Score every tenant's buyers (or one tenant's) and store the scores that changed."""
    now = utc_now()
    computed_at = rfc3339(now)
    by_tenant = _every_tenants_insights() if only_tenant is None else _one_tenants_insights(only_tenant)
    report = RfmReport(tenants=len(by_tenant), scanned=sum(len(items) for items in by_tenant.values()))
    for tenant_id, items in by_tenant.items():
        buyers = [buyer for item in items if (buyer := buyer_of(item, now)) is not None]
        scored = score(buyers, computed_at)
        report.scored += len(scored)
        changed: list[str] = []
        for item in items:
            new = scored.get(item["contact_id"])
            if new is not None:
                report.groups[new.group] = report.groups.get(new.group, 0) + 1
            if _same(item.get("rfm"), new):
                continue
            try:
                dal.set_rfm(tenant_id, item["contact_id"], new)
                report.changed += 1
                changed.append(item["contact_id"])
            except dal.InsightGone:
                continue
        segments.reevaluate_quietly(tenant_id, changed)  # RFM groups are segment fields
    logger.info("rfm batch", extra=report.__dict__)
    return report
