"""Contact ways of channel codes in the wecom table.

- way      T#{t}#CWAY#{code} / WAY
           gsi1 T#{t}#CWAYS / {created_at}#{code}          (the tenant's contact ways, newest first)
           gsi3 WCWAY#RESTORE / {restore_at}#{t}#{code}     (sparse: someone is at their daily limit,
                                                           to be back in the rotation at restore_at)
           ``version`` grows with every change, and every change is conditional on it.
- adds     T#{t}#CWAY#{code} / ADDS#{day}#{staff_id}       ``adds``: that member's adds through the
           code on a business day (TTL 40 days).
- counted  T#{t}#CWAY#{code} / ADD#{corp}#{staff}#{ext}#{generation}   an add counted once, whatever
           delivers it (TTL 40 days).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.wecom.contact_way_models import ContactWay
from services.wecom.dal.table import table
from shared import dynamo
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.manifest import TTL_ATTRIBUTE

RESTORE_PARTITION = "WCWAY#RESTORE"
ADDS_KEPT = timedelta(days=40)


class WayExists(Conflict):
    """The code has a contact way already (or one being created)."""


class AddCounted(Conflict):
    """This add (friendship generation) was counted already."""


def _key(tenant_id: str, code: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#CWAY#{code}", "sk": "WAY"}


def _adds_key(tenant_id: str, code: str, day: str, staff_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#CWAY#{code}", "sk": f"ADDS#{day}#{staff_id}"}


def _way(item: dict[str, Any]) -> ContactWay:
    return ContactWay.model_validate({name: item[name] for name in ContactWay.model_fields if name in item})


def get(tenant_id: str, code: str) -> ContactWay | None:
    item = dynamo.get_item(table(), _key(tenant_id, code))
    return None if item is None else _way(item)


def create(way: ContactWay) -> None:
    tx = Transaction(table())
    tx.create(
        {
            **_key(way.tenant_id, way.code),
            "kind": "contact_way",
            **way.model_dump(exclude_none=True),
            "gsi1pk": f"T#{way.tenant_id}#CWAYS",
            "gsi1sk": f"{way.created_at}#{way.code}",
        },
        on_fail=WayExists("The code has a contact way already."),
    )
    tx.commit()


def save(way: ContactWay, *, restore_at: datetime | None = None, prepares: tuple[Prepare, ...] = ()) -> ContactWay:
    """Write ``way`` over the stored one at ``way.version`` (``ConcurrentUpdate`` if it moved on),
    as the next version. ``restore_at``: someone is at their limit until then (the restore sweep
    finds the way); None: no one is."""
    saved = way.model_copy(update={"version": way.version + 1})
    fields = list(saved.model_dump(exclude={"tenant_id", "code", "created_at"}).items())
    names = {f"#f{number}": name for number, (name, _) in enumerate(fields)}
    values: dict[str, Any] = {f":f{number}": value for number, (_, value) in enumerate(fields) if value is not None}
    assignments = [f"#f{number} = :f{number}" for number, (_, value) in enumerate(fields) if value is not None]
    removals = [f"#f{number}" for number, (_, value) in enumerate(fields) if value is None]
    if restore_at is None:
        removals += ["gsi3pk", "gsi3sk"]
    else:
        assignments += ["gsi3pk = :restore_pk", "gsi3sk = :restore_sk"]
        values |= {
            ":restore_pk": RESTORE_PARTITION,
            ":restore_sk": f"{dynamo_moment(restore_at)}#{way.tenant_id}#{way.code}",
        }
    expression = "SET " + ", ".join(assignments) + (" REMOVE " + ", ".join(removals) if removals else "")
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    tx.update(
        _key(way.tenant_id, way.code),
        expression,
        condition="version = :expected",
        names=names,
        values={**values, ":expected": way.version},
        on_fail=ConcurrentUpdate("The contact way changed meanwhile."),
    )
    tx.commit()
    return saved


def dynamo_moment(moment: datetime) -> str:
    """A UTC moment as the restore index sorts it (second precision, ``Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def count_add(
    tenant_id: str,
    code: str,
    day: str,
    friendship: str,
    staff_id: str,
    expires: datetime,
    prepares: tuple[Prepare, ...],
) -> int:
    """One more add for the member on the day — once per ``friendship`` (``AddCounted`` when it
    was counted) — with ``prepares`` (the consumer's marker) in the same transaction; answer the
    day's count as it stands after (adds counted concurrently included: the caller only compares
    it with the limit)."""
    pk = f"T#{tenant_id}#CWAY#{code}"
    key = _adds_key(tenant_id, code, day, staff_id)
    ttl = int(expires.timestamp())
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    tx.create(
        {"pk": pk, "sk": f"ADD#{friendship}", "kind": "contact_way_add", "day": day, TTL_ATTRIBUTE: ttl},
        on_fail=AddCounted("The add was counted already."),
    )
    tx.update(
        key,
        "ADD adds :one SET kind = :kind, #expires = :expires",
        names={"#expires": TTL_ATTRIBUTE},
        values={":one": 1, ":kind": "contact_way_adds", ":expires": ttl},
    )
    tx.commit()
    item = dynamo.get_item(table(), key)
    return int(item["adds"]) if item else 0


def adds_on(tenant_id: str, code: str, day: str) -> dict[str, int]:
    """Each member's adds through the code on the day."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": dynamo.serialize({":p": f"T#{tenant_id}#CWAY#{code}", ":s": f"ADDS#{day}#"}),
        "ConsistentRead": True,
    }
    prefix = len(f"ADDS#{day}#")
    return {item["sk"][prefix:]: int(item["adds"]) for item in dynamo.query_pages(request)}


def page(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[ContactWay], str | None]:
    found = dynamo.query_page(
        table(),
        index="gsi1",
        partition_attr="gsi1pk",
        partition_value=f"T#{tenant_id}#CWAYS",
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [_way(item) for item in found.items], found.next_cursor


def due_restores(until: datetime, most: int) -> list[tuple[str, str]]:
    """(tenant, code) of the contact ways whose members at their limit are due back by ``until``."""
    due = dynamo.due_by(table(), "gsi3", RESTORE_PARTITION, dynamo_moment(until), ("tenant_id", "code"), most)
    return [(str(item["tenant_id"]), str(item["code"])) for item in due]
