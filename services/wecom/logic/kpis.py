"""Staff KPIs: counters per staff member and business day, kept by the events of every service
(``wecom-kpis``), and the report over a day, an ISO week or a month, per staff member or
department. No scan: a period reads one Query per day of it, plus the gauge's later moves.

What each number counts (each fact once: a redelivered event finds the consumer's marker, and the
same fact published again under another event id finds its own once-only record):

- **Friendships** (WeComContactAdded, not half; WeComContactRemoved): one record per friendship
  (staff, corp, external_userid, generation) says on which days its add and removal were counted.
  ``adds`` on the add's day (``code_adds`` too when it came through a contact way with a state);
  ``deletions_by_customer`` / ``deletions_by_staff`` on the removal's day. The customers gauge
  (导购客群资产数) moves +1 on the add's day and -1 on the removal's day of every friendship whose
  add is known, whichever of the two arrives first; a removal whose add never comes (a half add
  never accepted, a friendship from before the KPIs) counts as a deletion but moves no gauge, so
  the gauge is never negative. ``net_adds`` = adds - deletions.
- **Customers at the end of a period** = the gauge now minus its moves after the period (the days
  left in the period's month, then whole months from the monthly totals); at its start = that
  minus the period's moves. ``churn_rate`` = customer deletions / (customers at start + adds): the
  share of the period's friends who deleted the staff member (defined for a new staff member too).
- **引流成功率** ``lead_conversion`` = code_adds / code_scans, where code_scans are QrCodeScanned of
  codes naming the staff member. A WeCom add through a channel code is itself a scan of the code
  (campaigns records it so): for a contact way, WeCom reports no scan that did not add.
- **Service**: cases resolved (each resolution), first replies and ratings are counted for the
  staff member holding the case at that moment (the latest CaseAssignmentChanged before it). A
  first response is the case's first outbound staff message (CaseMessageAdded carries no author,
  so the holder is taken as its author), measured in wall-clock minutes from the holder's
  assignment (the staff member's own response time; cases' SLA measures from opening, in business
  minutes). A fact that arrives before any assignment preceding it waits on the case (bounded) and
  is counted when that assignment arrives. CSAT: the rating, once per resolution.
- **变现**: orders (OrderBuyerIdentified, and partners' OrderPaid naming the contact) of contacts
  whose tenant-wide owner (brand ``*``, from ContactCreated / ContactOwnerChanged, ordered by the
  contact's version) is the staff member when the order is counted; once per (partner, order).
  GMV is what was paid (refunds name no contact). An order of a contact without a known owner
  counts for nobody.
- **Departments** (WeComStaffChanged, the KPIs' own copy): a department's row sums its members',
  rates recomputed from the sums; a member of two departments counts in both.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta

from services.wecom.dal import kpis as dal
from services.wecom.dal.table import mark_handled
from services.wecom.kpi_models import (
    BUCKET_PREFIX,
    BUSINESS_ZONE,
    COUNTERS,
    FIRST_RESPONSE_BUCKETS,
    Assignment,
    CaseFact,
    CaseTrack,
    Friendship,
    GroupBy,
    KpiReport,
    KpiRow,
    KpiStaff,
    Period,
    Tally,
)
from services.wecom.service import KPIS_CONSUMER
from shared import daily
from shared.auth.principal import StaffPrincipal
from shared.auth.roles import SEE_ALL_CUSTOMERS
from shared.clock import utc_now
from shared.dynamo import Prepare
from shared.errors import Forbidden, Unprocessable
from shared.events.campaigns import QrCodeScanned
from shared.events.cases import CaseAssignmentChanged, CaseMessageAdded, CaseRated, CaseStatusChanged
from shared.events.contacts import ContactCreated, ContactOwnerChanged
from shared.events.outreach import StaffTaskChanged
from shared.events.wecom import WeComContactAdded, WeComContactRemoved, WeComStaffChanged
from shared.inbox import handled
from shared.retry import retry_on_race

CONSUMER = KPIS_CONSUMER.name
TENANT_WIDE = "*"
MAX_ASSIGNMENTS = 50  # a case's holders remembered (the oldest are let go)
MAX_PENDING = 20  # facts waiting for their holder's assignment
MAX_RATED = 50


def _marker(tenant_id: str, event_id: str) -> Prepare:
    return handled(CONSUMER, tenant_id, event_id)


def business_day(moment: datetime) -> date:
    return daily.business_day(moment, BUSINESS_ZONE)


# ---- friendships ---------------------------------------------------------------------------------
def contact_added(tenant_id: str, event_id: str, added: WeComContactAdded) -> None:
    if added.half:  # the customer awaits acceptance: not a friendship yet
        mark_handled(CONSUMER, tenant_id, event_id)
        return
    ref = (added.staff_id, added.corp_id, added.external_userid, added.generation)

    def attempt(_: int) -> None:
        read = dal.friendship(tenant_id, *ref)
        if read is not None and read.added_day is not None:
            mark_handled(CONSUMER, tenant_id, event_id)
            return
        day = business_day(added.added_at)
        removed_day = read.removed_day if read else None
        counted = {"net": 1}  # the customers gauge moves for a handover too; it is no new add
        if added.reason != "transfer":
            counted |= {"adds": 1, "code_adds": int(added.state is not None)}
        tallies = [Tally(added.staff_id, day, counted)]
        if removed_day is not None:  # its removal came first: the friendship is over
            tallies.append(Tally(added.staff_id, removed_day, {"net": -1}))
        after = Friendship(added_day=day, removed_day=removed_day)
        dal.commit(
            tenant_id, tallies, [_marker(tenant_id, event_id), dal.friendship_write(tenant_id, *ref, read, after)]
        )

    retry_on_race(attempt)


def contact_removed(tenant_id: str, event_id: str, removed: WeComContactRemoved) -> None:
    ref = (removed.staff_id, removed.corp_id, removed.external_userid, removed.generation)
    transferred = removed.reason == "transfer"  # handed over: the gauge moves, no deletion counts

    def attempt(_: int) -> None:
        read = dal.friendship(tenant_id, *ref)
        if read is not None and read.removed_day is not None:
            mark_handled(CONSUMER, tenant_id, event_id)
            return
        day = business_day(removed.removed_at)
        added_day = read.added_day if read else None
        counters = {"net": -1 if added_day is not None else 0}
        if not transferred:
            counters[f"deletions_by_{removed.removed_by}"] = 1
        after = Friendship(added_day=added_day, removed_day=day)
        dal.commit(
            tenant_id,
            [Tally(removed.staff_id, day, counters)],
            [_marker(tenant_id, event_id), dal.friendship_write(tenant_id, *ref, read, after)],
        )

    retry_on_race(attempt)


def staff_changed(tenant_id: str, event_id: str, at: datetime, changed: WeComStaffChanged) -> None:
    write = dal.staff_write(tenant_id, changed.staff_id, changed.name, changed.status, list(changed.department_ids), at)
    try:
        dal.commit(tenant_id, [], [_marker(tenant_id, event_id), write])
    except dal.StaleChange:
        mark_handled(CONSUMER, tenant_id, event_id)


def scanned(tenant_id: str, event_id: str, scan: QrCodeScanned) -> None:
    if scan.staff_id is None:
        mark_handled(CONSUMER, tenant_id, event_id)
        return
    tally = Tally(scan.staff_id, business_day(scan.scanned_at), {"code_scans": 1})
    dal.commit(tenant_id, [tally], [_marker(tenant_id, event_id)])


def task_changed(tenant_id: str, event_id: str, changed: StaffTaskChanged) -> None:
    """A staff task done, or gone past due while open, counts on its staff member's day."""
    counter = {"done": "tasks_done", "overdue": "tasks_overdue"}.get(changed.status)
    if counter is None:
        mark_handled(CONSUMER, tenant_id, event_id)
        return
    tally = Tally(changed.staff_id, business_day(changed.changed_at), {counter: 1})
    dal.commit(tenant_id, [tally], [_marker(tenant_id, event_id)])


# ---- cases ---------------------------------------------------------------------------------------
def holder(track: CaseTrack, at: datetime) -> Assignment | None:
    """Who held the case at ``at``: the latest assignment known at or before it."""
    found = None
    for assignment in track.assignments:
        if assignment.at <= at:
            found = assignment
    return found


def bucket(minutes: int) -> str:
    lower = max(bound for bound in FIRST_RESPONSE_BUCKETS if bound <= max(minutes, 0))
    return f"{BUCKET_PREFIX}{lower}"


def with_fact(track: CaseTrack, fact: CaseFact) -> tuple[CaseTrack, list[Tally]]:
    """The case after ``fact`` and what it counts (nothing while its holder is unknown)."""
    if (fact.kind == "replied" and track.responded) or (fact.kind == "rated" and fact.resolution in track.rated):
        return track, []
    held = holder(track, fact.at)
    if held is None:
        return _waiting(track, fact), []
    if fact.kind == "replied":
        track = track.model_copy(update={"responded": True})
    elif fact.kind == "rated" and fact.resolution is not None:
        track = track.model_copy(update={"rated": [*track.rated, fact.resolution][-MAX_RATED:]})
    return track, [] if held.staff_id is None else [Tally(held.staff_id, business_day(fact.at), _counters(fact, held))]


def _counters(fact: CaseFact, held: Assignment) -> dict[str, int]:
    if fact.kind == "replied":
        minutes = int((fact.at - held.at).total_seconds() // 60)
        return {"first_responses": 1, bucket(minutes): 1}
    if fact.kind == "rated":
        return {"ratings": 1, "csat_sum": fact.rating or 0}
    return {"cases_resolved": 1}


def _waiting(track: CaseTrack, fact: CaseFact) -> CaseTrack:
    pending = [p for p in track.pending if (p.kind, p.at, p.resolution) != (fact.kind, fact.at, fact.resolution)]
    if fact.kind == "replied":  # only the earliest reply can be the first
        earlier = [p for p in pending if p.kind == "replied" and p.at <= fact.at]
        if earlier:
            return track
        pending = [p for p in pending if p.kind != "replied"]
    if fact.kind == "rated" and any(p.kind == "rated" and p.resolution == fact.resolution for p in pending):
        return track
    ordered = sorted([*pending, fact], key=lambda p: p.at)[-MAX_PENDING:]
    return track.model_copy(update={"pending": ordered})


def with_assignment(track: CaseTrack, assignment: Assignment) -> tuple[CaseTrack, list[Tally]]:
    """The case with one more known holder; the facts waiting for it are counted."""
    known = [a for a in track.assignments if (a.at, a.staff_id) != (assignment.at, assignment.staff_id)]
    assignments = sorted([*known, assignment], key=lambda a: a.at)[-MAX_ASSIGNMENTS:]
    after = track.model_copy(update={"assignments": assignments, "pending": []})
    tallies: list[Tally] = []
    for fact in track.pending:
        after, counted = with_fact(after, fact)
        tallies.extend(counted)
    return after, tallies


def _case(
    tenant_id: str, event_id: str, case_id: str, change: Callable[[CaseTrack], tuple[CaseTrack, list[Tally]]]
) -> None:
    def attempt(_: int) -> None:
        track = dal.case_track(tenant_id, case_id) or CaseTrack(case_id=case_id)
        after, tallies = change(track)
        dal.commit(tenant_id, tallies, [_marker(tenant_id, event_id), dal.case_write(tenant_id, after, track.version)])

    retry_on_race(attempt)


def case_assigned(tenant_id: str, event_id: str, at: datetime, changed: CaseAssignmentChanged) -> None:
    assignment = Assignment(at=at, staff_id=changed.assignee)
    _case(tenant_id, event_id, changed.case_id, lambda track: with_assignment(track, assignment))


def _case_fact(tenant_id: str, event_id: str, case_id: str, fact: CaseFact) -> None:
    _case(tenant_id, event_id, case_id, lambda track: with_fact(track, fact))


def case_status_changed(tenant_id: str, event_id: str, at: datetime, changed: CaseStatusChanged) -> None:
    if changed.to_status != "resolved":
        mark_handled(CONSUMER, tenant_id, event_id)
        return
    _case_fact(tenant_id, event_id, changed.case_id, CaseFact(kind="resolved", at=at))


def case_message_added(tenant_id: str, event_id: str, at: datetime, added: CaseMessageAdded) -> None:
    if added.kind != "outbound" or added.author_kind != "staff":
        mark_handled(CONSUMER, tenant_id, event_id)
        return
    _case_fact(tenant_id, event_id, added.case_id, CaseFact(kind="replied", at=at))


def case_rated(tenant_id: str, event_id: str, at: datetime, rated: CaseRated) -> None:
    fact = CaseFact(kind="rated", at=at, rating=rated.rating, resolution=rated.resolution)
    _case_fact(tenant_id, event_id, rated.case_id, fact)


# ---- owners and orders ---------------------------------------------------------------------------
def _owner(tenant_id: str, event_id: str, contact_id: str, owner: str | None, version: int) -> None:
    try:
        dal.commit(
            tenant_id, [], [_marker(tenant_id, event_id), dal.owner_write(tenant_id, contact_id, owner, version)]
        )
    except dal.StaleChange:
        mark_handled(CONSUMER, tenant_id, event_id)


def contact_created(tenant_id: str, event_id: str, created: ContactCreated) -> None:
    owner = created.owners.get(TENANT_WIDE)
    if owner is None:
        mark_handled(CONSUMER, tenant_id, event_id)
        return
    _owner(tenant_id, event_id, created.contact_id, owner, created.version)


def owner_changed(tenant_id: str, event_id: str, changed: ContactOwnerChanged) -> None:
    if changed.brand != TENANT_WIDE:
        mark_handled(CONSUMER, tenant_id, event_id)
        return
    _owner(tenant_id, event_id, changed.contact_id, changed.owner, changed.version)


def order_paid(
    tenant_id: str,
    event_id: str,
    at: datetime,
    *,
    partner: str,
    order_id: str,
    contact_id: str | None,
    amount_fen: int,
) -> None:
    """An order of a contact: counted for its owner, once per (partner, order)."""
    owner = dal.owner_of(tenant_id, contact_id) if contact_id else None
    if owner is None:  # a buyer named by an identity only (OrderBuyerIdentified follows), or unowned
        mark_handled(CONSUMER, tenant_id, event_id)
        return
    tally = Tally(owner, business_day(at), {"orders": 1, "gmv_fen": amount_fen})
    try:
        dal.commit(tenant_id, [tally], [_marker(tenant_id, event_id), dal.order_claim(tenant_id, partner, order_id)])
    except dal.AlreadyCounted:
        mark_handled(CONSUMER, tenant_id, event_id)


# ---- the report ----------------------------------------------------------------------------------
def period_bounds(period: Period, on: date) -> tuple[date, date]:
    """The day, ISO week (Monday to Sunday) or month containing ``on``."""
    if period == "day":
        return on, on
    if period == "week":
        monday = on - timedelta(days=on.weekday())
        return monday, monday + timedelta(days=6)
    last = calendar.monthrange(on.year, on.month)[1]
    return on.replace(day=1), on.replace(day=last)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=number) for number in range((last - first).days + 1)]


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _sum(into: dict[str, dict[str, int]], items: Iterable[Mapping[str, object]]) -> None:
    for item in items:
        totals = into[str(item["staff_id"])]
        for name, value in item.items():
            if name in COUNTERS or name.startswith(BUCKET_PREFIX):
                totals[name] += int(value)  # type: ignore[call-overload]


def _later_moves(
    tenant_id: str, start: date, end: date, today: date, read: Mapping[date, list[dict[str, object]]]
) -> dict[str, int]:
    """Each staff member's gauge moves after ``end`` (to today): the months after ``end``'s from
    their totals and, within its month, whichever needs fewer days read: the days after ``end``, or
    the month's total less its days up to ``end`` (the period's own are ``read`` already)."""
    if end >= today:
        return {}
    month_start = end.replace(day=1)
    month_end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    after = _days(end + timedelta(days=1), min(month_end, today))
    before = _days(month_start, start - timedelta(days=1)) if start > month_start else []
    moves: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    this_month = today.strftime("%Y-%m")
    if len(before) < len(after):
        _sum(moves, dal.month_nets(tenant_id, end.strftime("%Y-%m"), this_month))
        earlier: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for day in before:
            _sum(earlier, dal.day_counters(tenant_id, day, ("net",)))
        for day, items in read.items():
            if day >= month_start:
                _sum(earlier, items)
        for staff_id, totals in earlier.items():
            moves[staff_id]["net"] -= totals.get("net", 0)
    else:
        for day in after:
            _sum(moves, dal.day_counters(tenant_id, day, ("net",)))
        if today > month_end:
            _sum(moves, dal.month_nets(tenant_id, _next_month(end).strftime("%Y-%m"), this_month))
    return {staff_id: totals["net"] for staff_id, totals in moves.items()}


def median_minutes(totals: Mapping[str, int]) -> float | None:
    """The median of a first-response histogram (see FIRST_RESPONSE_BUCKETS)."""
    counts = [(bound, totals.get(f"{BUCKET_PREFIX}{bound}", 0)) for bound in FIRST_RESPONSE_BUCKETS]
    total = sum(count for _, count in counts)
    if total == 0:
        return None
    wanted = sorted({(total - 1) // 2, total // 2})
    found: list[float] = []
    seen = 0
    for index, (bound, count) in enumerate(counts):
        upper = FIRST_RESPONSE_BUCKETS[index + 1] if index + 1 < len(FIRST_RESPONSE_BUCKETS) else None
        value = float(bound) if upper is None or upper - bound == 1 else (bound + upper) / 2
        found.extend(value for position in wanted if seen <= position < seen + count)
        seen += count
    return sum(found) / len(found)


def _ratio(part: int, whole: int, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole > 0 else None


def _row(totals: Mapping[str, int], customers: int, customers_at_start: int, **who: object) -> KpiRow:
    deletions = totals.get("deletions_by_customer", 0) + totals.get("deletions_by_staff", 0)
    adds = totals.get("adds", 0)
    return KpiRow.model_validate(
        {
            **who,
            "customers": customers,
            "customers_at_start": customers_at_start,
            "adds": adds,
            "net_adds": adds - deletions,
            "deletions_by_customer": totals.get("deletions_by_customer", 0),
            "deletions_by_staff": totals.get("deletions_by_staff", 0),
            "churn_rate": _ratio(totals.get("deletions_by_customer", 0), customers_at_start + adds),
            "code_scans": totals.get("code_scans", 0),
            "code_adds": totals.get("code_adds", 0),
            "lead_conversion": _ratio(totals.get("code_adds", 0), totals.get("code_scans", 0)),
            "cases_resolved": totals.get("cases_resolved", 0),
            "first_responses": totals.get("first_responses", 0),
            "first_response_median_minutes": median_minutes(totals),
            "ratings": totals.get("ratings", 0),
            "csat_average": _ratio(totals.get("csat_sum", 0), totals.get("ratings", 0), 2),
            "orders": totals.get("orders", 0),
            "gmv_fen": totals.get("gmv_fen", 0),
            "tasks_done": totals.get("tasks_done", 0),
            "tasks_overdue": totals.get("tasks_overdue", 0),
        }
    )


def report(staff: StaffPrincipal, group_by: GroupBy, period: Period, on: date | None) -> KpiReport:
    """The KPI rows of the period containing ``on`` (default today): every staff member's (a guide:
    their own) or every department's (not for a guide: a department's row shows its members')."""
    sees_all = bool(staff.roles & SEE_ALL_CUSTOMERS)
    if group_by == "department" and not sees_all:
        raise Forbidden("A guide sees only their own figures.")
    tenant_id = staff.tenant_id
    today = business_day(utc_now())
    if on is not None and on > today:
        raise Unprocessable("The period has not begun.", [{"loc": ["query", "date"], "msg": "not after today"}])
    start, end = period_bounds(period, on or today)
    read = {day: dal.day_counters(tenant_id, day) for day in _days(start, min(end, today))}
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for items in read.values():
        _sum(totals, items)
    known = {entry.staff_id: entry for entry in dal.staff(tenant_id)}
    later = _later_moves(tenant_id, start, end, today, read)

    def customers(staff_id: str) -> tuple[int, int]:
        gauge = known[staff_id].customers if staff_id in known else 0
        at_end = gauge - later.get(staff_id, 0)
        moved = totals[staff_id].get("net", 0) if staff_id in totals else 0
        return at_end, at_end - moved

    if not sees_all:
        own = staff.staff_id
        name = known[own].name if own in known else None
        rows = [_row(totals.get(own, {}), *customers(own), staff_id=own, name=name)]
    elif group_by == "staff":
        listed = {s for s, entry in known.items() if entry.status != "departed" or customers(s)[0]} | set(totals)
        rows = [
            _row(totals.get(s, {}), *customers(s), staff_id=s, name=known[s].name if s in known else None)
            for s in sorted(listed)
        ]
    else:
        rows = _departments(known, totals, customers)
    return KpiReport(group_by=group_by, period=period, start=start, end=end, zone=BUSINESS_ZONE, rows=rows)


def _departments(
    known: Mapping[str, KpiStaff],
    totals: Mapping[str, Mapping[str, int]],
    customers: Callable[[str], tuple[int, int]],
) -> list[KpiRow]:
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    members: dict[int, int] = defaultdict(int)
    for staff_id, entry in known.items():
        at_end, at_start = customers(staff_id)
        for department_id in entry.department_ids:
            members[department_id] += 1
            row = sums[department_id]
            for name, value in totals.get(staff_id, {}).items():
                row[name] += value
            row["customers_end"] += at_end
            row["customers_start"] += at_start
    return [
        _row(
            row,
            row["customers_end"],
            row["customers_start"],
            department_id=department_id,
            members=members[department_id],
        )
        for department_id, row in sorted(sums.items())
    ]
