"""Staff KPIs' counters and what the ``wecom-kpis`` consumer remembers to keep them exact.

- day        T#{t}#KPI#{yyyy-mm-dd} / STAFF#{staff}      one staff member's counters of that business
                                                        day (ADDed); a day of the tenant is one Query
- month      T#{t}#KPIMONTHS / {yyyy-mm}#STAFF#{staff}  the gauge's moves (``net``) per month, so a past
                                                        period's customers need not add up every day since
- staff      T#{t}#KPISTAFF / STAFF#{staff}             the customers gauge (``customers``, ADDed) and the
                                                        KPIs' copy of the staff member (name, status,
                                                        departments) from WeComStaffChanged
- friendship T#{t}#KPIFRIEND#{staff} / {corp}#{external_userid}#{generation}
                                                        the days a friendship's add and removal were counted
- case       T#{t}#KPICASE#{case_id} / CASE              who held the case when, facts awaiting their
                                                        holder, first reply and ratings counted (TTL 400 days)
- owner      T#{t}#KPIOWNER#{contact_id} / OWNER          the contact's tenant-wide owner, at its version
- order      T#{t}#KPIORDER#{partner}#{order_id} / ORDER  an order counted (TTL 400 days)

Every counted fact is one transaction: its counters, the record that it was counted (conditional
on what was read) and the consumer's processed marker.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from services.wecom.dal.table import table
from services.wecom.kpi_models import CaseTrack, Friendship, KpiStaff, Tally
from shared import dynamo
from shared.clock import rfc3339
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.manifest import TTL_ATTRIBUTE

RETENTION_SECONDS = 400 * 24 * 3600  # a case rated or an order redelivered long after: still once


class AlreadyCounted(Conflict):
    """The fact's once-only record exists: it was counted under another event."""


class StaleChange(Conflict):
    """A newer change of the record was applied already."""


def day_pk(tenant_id: str, day: date) -> str:
    return f"T#{tenant_id}#KPI#{day.isoformat()}"


def months_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#KPIMONTHS"


def staff_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#KPISTAFF"


def _friend_key(tenant_id: str, staff_id: str, corp_id: str, external_userid: str, generation: int) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#KPIFRIEND#{staff_id}", "sk": f"{corp_id}#{external_userid}#{generation}"}


def _case_key(tenant_id: str, case_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#KPICASE#{case_id}", "sk": "CASE"}


def _owner_key(tenant_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#KPIOWNER#{contact_id}", "sk": "OWNER"}


def _expiry() -> int:
    return int(time.time()) + RETENTION_SECONDS


# ---- counting ------------------------------------------------------------------------------------
def _adds(tx: Transaction, key: dict[str, str], staff_id: str, kind: str, counters: dict[str, int]) -> None:
    added = {name: value for name, value in counters.items() if value}
    if not added:
        return
    names = {f"#c{number}": name for number, name in enumerate(added)}
    values: dict[str, Any] = {f":c{number}": value for number, value in enumerate(added.values())}
    tx.update(
        key,
        "SET #kind = :kind, staff_id = :staff ADD " + ", ".join(f"{name} :{name[1:]}" for name in names),
        names={"#kind": "kind"} | names,
        values={":kind": kind, ":staff": staff_id} | values,
    )


def _count(tx: Transaction, tenant_id: str, tallies: Iterable[Tally]) -> None:
    """Each tally's counters on its day's item; ``net`` also on its month's and on the gauge. One
    write per item (a transaction may touch an item once)."""
    days: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    months: dict[tuple[str, str], int] = defaultdict(int)
    gauges: dict[str, int] = defaultdict(int)
    for tally in tallies:
        for name, value in tally.counters.items():
            days[tally.staff_id, tally.day][name] += value
        net = tally.counters.get("net", 0)
        months[tally.staff_id, tally.day.strftime("%Y-%m")] += net
        gauges[tally.staff_id] += net
    for (staff_id, day), counters in days.items():
        _adds(tx, {"pk": day_pk(tenant_id, day), "sk": f"STAFF#{staff_id}"}, staff_id, "kpi_day", counters)
    for (staff_id, month), net in months.items():
        _adds(tx, {"pk": months_pk(tenant_id), "sk": f"{month}#STAFF#{staff_id}"}, staff_id, "kpi_month", {"net": net})
    for staff_id, net in gauges.items():
        _adds(tx, {"pk": staff_pk(tenant_id), "sk": f"STAFF#{staff_id}"}, staff_id, "kpi_staff", {"customers": net})


def commit(tenant_id: str, tallies: Iterable[Tally], prepares: Sequence[Prepare]) -> None:
    """The tallies and the callers' writes (once-only records, the processed marker), together."""
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    _count(tx, tenant_id, tallies)
    tx.commit()


# ---- friendships ---------------------------------------------------------------------------------
def friendship(tenant_id: str, staff_id: str, corp_id: str, external_userid: str, generation: int) -> Friendship | None:
    item = dynamo.get_item(table(), _friend_key(tenant_id, staff_id, corp_id, external_userid, generation))
    return Friendship.model_validate(item) if item else None


def friendship_write(
    tenant_id: str,
    staff_id: str,
    corp_id: str,
    external_userid: str,
    generation: int,
    read: Friendship | None,
    after: Friendship,
) -> Prepare:
    """The friendship as counted now, if it is still as ``read`` (ConcurrentUpdate otherwise)."""
    before = read or Friendship()
    conditions, values = [], {}
    for name in ("added_day", "removed_day"):
        seen = getattr(before, name)
        if seen is None:
            conditions.append(f"attribute_not_exists({name})")
        else:
            conditions.append(f"{name} = :{name}_was")
            values[f":{name}_was"] = seen.isoformat()
    sets = {name: getattr(after, name).isoformat() for name in ("added_day", "removed_day") if getattr(after, name)}

    def write(tx: Transaction) -> None:
        tx.update(
            _friend_key(tenant_id, staff_id, corp_id, external_userid, generation),
            "SET #kind = :kind, " + ", ".join(f"{name} = :{name}" for name in sets),
            condition=" AND ".join(conditions),
            names={"#kind": "kind"},
            values={":kind": "kpi_friendship"} | {f":{name}": value for name, value in sets.items()} | values,
            on_fail=ConcurrentUpdate("the friendship was counted meanwhile"),
        )

    return write


# ---- cases ---------------------------------------------------------------------------------------
def case_track(tenant_id: str, case_id: str) -> CaseTrack | None:
    item = dynamo.get_item(table(), _case_key(tenant_id, case_id))
    return CaseTrack.model_validate(item) if item else None


def case_write(tenant_id: str, track: CaseTrack, expected_version: int) -> Prepare:
    saved = track.model_copy(update={"version": expected_version + 1})

    def write(tx: Transaction) -> None:
        item = {
            **_case_key(tenant_id, track.case_id),
            "kind": "kpi_case",
            **saved.model_dump(mode="json"),
            TTL_ATTRIBUTE: _expiry(),
        }
        if expected_version == 0:
            tx.put(item, condition="attribute_not_exists(pk)", on_fail=ConcurrentUpdate("the case moved"))
        else:
            tx.put(
                item,
                condition="version = :v",
                values={":v": expected_version},
                on_fail=ConcurrentUpdate("the case moved"),
            )

    return write


# ---- owners and orders ---------------------------------------------------------------------------
def owner_of(tenant_id: str, contact_id: str) -> str | None:
    item = dynamo.get_item(table(), _owner_key(tenant_id, contact_id), consistent=False)
    return str(item["owner"]) if item and item.get("owner") else None


def owner_write(tenant_id: str, contact_id: str, owner: str | None, version: int) -> Prepare:
    """The contact's tenant-wide owner as of ``version``; StaleChange if a later one is recorded."""

    def write(tx: Transaction) -> None:
        tx.update(
            _owner_key(tenant_id, contact_id),
            (
                "SET #kind = :kind, version = :v, #owner = :owner"
                if owner
                else "SET #kind = :kind, version = :v REMOVE #owner"
            ),
            condition="attribute_not_exists(version) OR version < :v",
            names={"#kind": "kind", "#owner": "owner"},
            values={":kind": "kpi_owner", ":v": version} | ({":owner": owner} if owner else {}),
            on_fail=StaleChange("a later owner is recorded"),
        )

    return write


def order_claim(tenant_id: str, partner: str, order_id: str) -> Prepare:
    def write(tx: Transaction) -> None:
        tx.put(
            {
                "pk": f"T#{tenant_id}#KPIORDER#{partner}#{order_id}",
                "sk": "ORDER",
                "kind": "kpi_order",
                TTL_ATTRIBUTE: _expiry(),
            },
            condition="attribute_not_exists(pk)",
            on_fail=AlreadyCounted("the order is counted"),
        )

    return write


# ---- staff ---------------------------------------------------------------------------------------
def staff_write(
    tenant_id: str, staff_id: str, name: str, status: str, department_ids: list[int], at: datetime
) -> Prepare:
    """The KPIs' copy of a staff member as of ``at``; StaleChange if a later change is recorded."""

    def write(tx: Transaction) -> None:
        tx.update(
            {"pk": staff_pk(tenant_id), "sk": f"STAFF#{staff_id}"},
            "SET #kind = :kind, staff_id = :staff, #name = :name, #status = :status, department_ids = :departments,"
            " changed_at = :at",
            condition="attribute_not_exists(changed_at) OR changed_at < :at",
            names={"#kind": "kind", "#name": "name", "#status": "status"},
            values={
                ":kind": "kpi_staff",
                ":staff": staff_id,
                ":name": name,
                ":status": status,
                ":departments": department_ids,
                ":at": rfc3339(at),
            },
            on_fail=StaleChange("a later change of the staff member is recorded"),
        )

    return write


# ---- reading -------------------------------------------------------------------------------------
def _all(pk: str, *, between: tuple[str, str] | None = None, attributes: Sequence[str] = ()) -> list[dict[str, Any]]:
    request: dict[str, Any] = {"TableName": table(), "KeyConditionExpression": "pk = :p"}
    values: dict[str, Any] = {":p": pk}
    if between is not None:
        request["KeyConditionExpression"] += " AND sk BETWEEN :lo AND :hi"
        values[":lo"], values[":hi"] = between
    if attributes:
        names = {f"#a{number}": name for number, name in enumerate(attributes)}
        request.update(ProjectionExpression=", ".join(names), ExpressionAttributeNames=names)
    request["ExpressionAttributeValues"] = dynamo.serialize(values)
    return list(dynamo.query_pages(request))


def day_counters(tenant_id: str, day: date, attributes: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Every staff member's counters of the day (``attributes`` only, with staff_id, when given):
    one Query."""
    return _all(day_pk(tenant_id, day), attributes=[*attributes, "staff_id"] if attributes else ())


def month_nets(tenant_id: str, first: str, last: str) -> list[dict[str, Any]]:
    """The gauge's moves of each staff member in the months ``first``..``last`` (YYYY-MM): one Query."""
    return _all(months_pk(tenant_id), between=(f"{first}#", f"{last}#~"), attributes=("staff_id", "net"))


def staff(tenant_id: str) -> list[KpiStaff]:
    """Every staff member the KPIs know (copy and gauge): one Query."""
    return [KpiStaff.model_validate(item) for item in _all(staff_pk(tenant_id))]
