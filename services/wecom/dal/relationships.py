"""Relationships, deletion records and once-only claims in the wecom table.

- relationship  T#{t}#STAFF#{staff} / REL#{corp}#{external_userid}
                gsi1 T#{t}#EXT#{corp}#{external_userid} / REL#{staff}   (a customer's staff)
                gsi2 T#{t}#CONTACT#{contact_id} / REL#{corp}#{staff}#{external_userid}   (once known)
- deletion      T#{t}#DELETIONS / {removed_at}#{staff}#{corp}#{external_userid}#{generation}
                gsi1 T#{t}#DELETIONS#STAFF#{staff} / same sort key
- claim         T#{t}#CLAIM#{what} / CLAIM   a welcome code used, a churn alert sent
- alias         T#{t}#ALIAS#{contact_id} / ALIAS   a merged contact's survivor (contacts' ContactsMerged)
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel

from services.wecom.dal.table import table
from services.wecom.models import Relationship
from shared import dynamo
from shared.clock import now_rfc3339
from shared.dynamo import Filter, Page, Prepare, Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.manifest import TTL_ATTRIBUTE
from shared.outbox import publish_with

CLAIM_RETENTION_SECONDS = 400 * 24 * 3600  # a generation's alert: longer than any friendship report looks back


def _key(tenant_id: str, staff_id: str, corp_id: str, external_userid: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#STAFF#{staff_id}", "sk": f"REL#{corp_id}#{external_userid}"}


def customer_pk(tenant_id: str, corp_id: str, external_userid: str) -> str:
    return f"T#{tenant_id}#EXT#{corp_id}#{external_userid}"


def contact_pk(tenant_id: str, contact_id: str) -> str:
    return f"T#{tenant_id}#CONTACT#{contact_id}"


def _entity(item: dict[str, Any]) -> Relationship:
    return Relationship.model_validate({key: item[key] for key in Relationship.model_fields if key in item})


def get(tenant_id: str, staff_id: str, corp_id: str, external_userid: str) -> Relationship | None:
    item = dynamo.get_item(table(), _key(tenant_id, staff_id, corp_id, external_userid))
    return _entity(item) if item else None


def _item(tenant_id: str, relationship: Relationship) -> dict[str, Any]:
    item: dict[str, Any] = {
        **_key(tenant_id, relationship.staff_id, relationship.corp_id, relationship.external_userid),
        "kind": "relationship",
        **relationship.model_dump(exclude_none=True),
        "gsi1pk": customer_pk(tenant_id, relationship.corp_id, relationship.external_userid),
        "gsi1sk": f"REL#{relationship.staff_id}",
    }
    if relationship.contact_id:
        item["gsi2pk"] = contact_pk(tenant_id, relationship.contact_id)
        item["gsi2sk"] = f"REL#{relationship.corp_id}#{relationship.staff_id}#{relationship.external_userid}"
    return item


def save(
    tenant_id: str,
    relationship: Relationship,
    *,
    expected_version: int | None,
    events: tuple[BaseModel, ...] = (),
    prepares: tuple[Prepare, ...] = (),
) -> Relationship:
    """Write the pair as decided from the version read (None: it did not exist), with its events,
    a deletion record when it was just removed, and the caller's items; ConcurrentUpdate when the
    pair moved meanwhile."""
    saved = relationship.model_copy(update={"version": (expected_version or 0) + 1})
    tx = Transaction(table())
    if expected_version is None:
        tx.put(_item(tenant_id, saved), condition="attribute_not_exists(pk)", on_fail=ConcurrentUpdate("moved"))
    else:
        tx.put(
            _item(tenant_id, saved),
            condition="version = :v",
            values={":v": expected_version},
            on_fail=ConcurrentUpdate("moved"),
        )
    for prepare in prepares:
        prepare(tx)
    publish_with(tx, tenant_id, *events)
    # A handover to another staff member is no deletion: no record (nor alert, nor KPI).
    if saved.status == "removed" and saved.removed_at and events and saved.removed_reason != "transfer":
        sort_key = f"{saved.removed_at}#{saved.staff_id}#{saved.corp_id}#{saved.external_userid}#{saved.generation}"
        tx.put(
            {
                "pk": f"T#{tenant_id}#DELETIONS",
                "sk": sort_key,
                "kind": "deletion",
                "gsi1pk": f"T#{tenant_id}#DELETIONS#STAFF#{saved.staff_id}",
                "gsi1sk": sort_key,
                **saved.model_dump(
                    include={
                        "corp_id",
                        "staff_id",
                        "external_userid",
                        "contact_id",
                        "removed_by",
                        "removed_at",
                        "generation",
                    }
                ),
            }
        )
    tx.commit()
    return saved


def set_contact(
    tenant_id: str, relationship: Relationship, contact_id: str, prepares: tuple[Prepare, ...] = ()
) -> None:
    """Link the pair to its contact (and index it by contact), whatever else moved meanwhile."""
    tx = Transaction(table())
    tx.update(
        _key(tenant_id, relationship.staff_id, relationship.corp_id, relationship.external_userid),
        "SET contact_id = :c, gsi2pk = :p, gsi2sk = :s",
        condition="attribute_exists(pk)",
        values={
            ":c": contact_id,
            ":p": contact_pk(tenant_id, contact_id),
            ":s": f"REL#{relationship.corp_id}#{relationship.staff_id}#{relationship.external_userid}",
        },
        on_fail=ConcurrentUpdate("the relationship is not there"),
    )
    for prepare in prepares:
        prepare(tx)
    tx.commit()


def by_staff(tenant_id: str, staff_id: str, limit: int, cursor: str | None) -> tuple[list[Relationship], str | None]:
    page = dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=f"T#{tenant_id}#STAFF#{staff_id}",
        sort_prefix=("sk", "REL#"),
        limit=limit,
        cursor=cursor,
    )
    return [_entity(item) for item in page.items], page.next_cursor


def by_customer(
    tenant_id: str, corp_id: str, external_userid: str, limit: int, cursor: str | None, staff_id: str | None = None
) -> tuple[list[Relationship], str | None]:
    page = dynamo.query_page(
        table(),
        index="gsi1",
        partition_attr="gsi1pk",
        partition_value=customer_pk(tenant_id, corp_id, external_userid),
        sort_prefix=("gsi1sk", f"REL#{staff_id}" if staff_id else "REL#"),
        limit=limit,
        cursor=cursor,
    )
    return [_entity(item) for item in page.items], page.next_cursor


def by_contact(
    tenant_id: str, contact_id: str, limit: int, cursor: str | None, staff_id: str | None = None
) -> tuple[list[Relationship], str | None]:
    page = dynamo.query_page(
        table(),
        index="gsi2",
        partition_attr="gsi2pk",
        partition_value=contact_pk(tenant_id, contact_id),
        limit=limit,
        cursor=cursor,
        filter=Filter("staff_id = :staff", {}, {":staff": staff_id}) if staff_id else None,
    )
    return [_entity(item) for item in page.items], page.next_cursor


def every_of_contact(tenant_id: str, contact_id: str) -> list[Relationship]:
    request = {
        "TableName": table(),
        "IndexName": "gsi2",
        "KeyConditionExpression": "gsi2pk = :p",
        "ExpressionAttributeValues": dynamo.serialize({":p": contact_pk(tenant_id, contact_id)}),
    }
    return [_entity(item) for item in dynamo.query_pages(request)]


def deletions(tenant_id: str, staff_id: str | None, start: str, end: str, limit: int, cursor: str | None) -> Page:
    """Deletion records from ``start`` to ``end`` (RFC 3339, end excluded), oldest first."""
    partition_attr, partition_value, sort_attr, index = (
        ("gsi1pk", f"T#{tenant_id}#DELETIONS#STAFF#{staff_id}", "gsi1sk", "gsi1")
        if staff_id
        else ("pk", f"T#{tenant_id}#DELETIONS", "sk", None)
    )
    return dynamo.query_page(
        table(),
        index=index,
        partition_attr=partition_attr,
        partition_value=partition_value,
        sort_range=(sort_attr, start, end),
        limit=limit,
        cursor=cursor,
    )


class AlreadyClaimed(Conflict):
    pass


def claim(tenant_id: str, what: str, details: dict[str, Any]) -> bool:
    """Claim a once-only effect (a welcome code, a generation's churn alert): False when it was
    claimed before."""
    tx = Transaction(table())
    tx.create(
        {
            "pk": f"T#{tenant_id}#CLAIM#{what}",
            "sk": "CLAIM",
            "kind": "claim",
            "claimed_at": now_rfc3339(),
            **details,
            TTL_ATTRIBUTE: int(time.time()) + CLAIM_RETENTION_SECONDS,
        },
        on_fail=AlreadyClaimed(what),
    )
    try:
        tx.commit()
    except AlreadyClaimed:
        return False
    return True


def settle_claim(tenant_id: str, what: str, outcome: str, detail: str = "", prepares: tuple[Prepare, ...] = ()) -> None:
    """Record how a claimed effect ended (sent, failed and why), with the caller's items."""
    tx = Transaction(table())
    tx.update(
        {"pk": f"T#{tenant_id}#CLAIM#{what}", "sk": "CLAIM"},
        "SET outcome = :o, detail = :d, settled_at = :at",
        values={":o": outcome, ":d": detail[:500], ":at": now_rfc3339()},
    )
    for prepare in prepares:
        prepare(tx)
    tx.commit()


def claimed(tenant_id: str, what: str) -> dict[str, Any] | None:
    return dynamo.get_item(table(), {"pk": f"T#{tenant_id}#CLAIM#{what}", "sk": "CLAIM"})


def record_survivor(tenant_id: str, absorbed: str, survivor: str) -> None:
    """A merged contact's survivor, for answers about it that arrive after the merge."""
    item = {"pk": f"T#{tenant_id}#ALIAS#{absorbed}", "sk": "ALIAS", "kind": "contact_alias", "survivor": survivor}
    dynamo.client().put_item(TableName=table(), Item=dynamo.serialize(item))


def survivor_of(tenant_id: str, contact_id: str) -> str | None:
    item = dynamo.get_item(table(), {"pk": f"T#{tenant_id}#ALIAS#{contact_id}", "sk": "ALIAS"})
    return str(item["survivor"]) if item else None
