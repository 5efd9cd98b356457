"""The contacts table's segments, memberships and counts.

Item layout (pk / sk):
- segment     T#{t}#SEGDEF / SEG#{id}       the definition (name, kind, rule, status); a tenant's
  segments are one partition, read with one query at every evaluation (at most 100)
- memberships T#{t}#C#{contact} / SEGMENTS  the dynamic segments the contact is in, the static
  ones it was put in, a version; while a rule's answer may change with time alone (last activity,
  a decaying score) it carries ``gsi1pk = SEGDUE#{shard}`` / ``gsi1sk = {due_at}#{t}#{contact}``
- member      T#{t}#SEG#{id} / M#{contact}   one per member, for the paged member list
- count       T#{t}#SEG#{id} / COUNT#{shard} the members, spread over shards so that many contacts
  entering at once (an import) do not contend on one item; a count is one query of the partition
A change of membership writes the memberships item, the member item and one count shard of each
segment entered or left, and one event, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from pydantic import BaseModel, Field

from services.contacts.dal.contacts import GSI, INSIGHT_SK, PROFILE_SK, contact_pk, table, tag_partition
from services.contacts.models import Contact, Insight
from services.contacts.segment_models import Segment, SegmentMember
from shared import dynamo
from shared.dynamo import MAX_TRANSACTION_ITEMS, Transaction
from shared.errors import ConcurrentUpdate, Conflict, NotFound
from shared.models import Model
from shared.outbox import publish_with

COUNT_SHARDS = 8
DUE_SHARDS = 8
MEMBERSHIPS_SK = "SEGMENTS"  # a contact's memberships item, in its partition
MEMBER_PREFIX = "M#"
COUNT_PREFIX = "COUNT#"


class Memberships(Model):
    tenant_id: str
    contact_id: str
    segment_ids: list[str] = Field(default_factory=list, description="Dynamic segments it is in.")
    static_ids: list[str] = Field(default_factory=list, description="Static segments it was put in.")
    due_at: str | None = None
    version: int = 0


def _definitions_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#SEGDEF"


def _segment_pk(tenant_id: str, segment_id: str) -> str:
    return f"T#{tenant_id}#SEG#{segment_id}"


def _memberships_key(tenant_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": MEMBERSHIPS_SK}


def transaction() -> Transaction:
    return Transaction(table())


# Definitions -------------------------------------------------------------------------------------
def _definition_item(tenant_id: str, segment: Segment) -> dict[str, Any]:
    return {
        "pk": _definitions_pk(tenant_id),
        "sk": f"SEG#{segment.segment_id}",
        "kind": "segment",
        **segment.model_dump(mode="json", exclude_none=True),
    }


def save_definition(tenant_id: str, before: Segment | None, after: Segment) -> None:
    tx = transaction()
    stale = ConcurrentUpdate("The segment changed meanwhile; read it again.")
    if before is None:
        tx.create(_definition_item(tenant_id, after), on_fail=Conflict("The segment exists already."))
    else:
        tx.put(
            _definition_item(tenant_id, after), condition="version = :v", values={":v": before.version}, on_fail=stale
        )
    tx.commit()


def delete_definition(tenant_id: str, segment: Segment) -> None:
    tx = transaction()
    tx.delete(
        {"pk": _definitions_pk(tenant_id), "sk": f"SEG#{segment.segment_id}"},
        condition="version = :v",
        values={":v": segment.version},
        on_fail=ConcurrentUpdate("The segment changed meanwhile; read it again."),
    )
    tx.commit()


def definitions(tenant_id: str) -> list[Segment]:
    """Every segment of the tenant, by id (one query, read consistently)."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": dynamo.serialize({":p": _definitions_pk(tenant_id)}),
        "ConsistentRead": True,
    }
    return [Segment.model_validate(item) for item in dynamo.query_pages(request)]


def definition(tenant_id: str, segment_id: str) -> Segment:
    item = dynamo.get_item(table(), {"pk": _definitions_pk(tenant_id), "sk": f"SEG#{segment_id}"})
    if item is None:
        raise NotFound("No such segment.")
    return Segment.model_validate(item)


# Counts and members ------------------------------------------------------------------------------
def count(tenant_id: str, segment_id: str) -> int:
    """The segment's members: one query of its count shards."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :c)",
        "ExpressionAttributeValues": dynamo.serialize({":p": _segment_pk(tenant_id, segment_id), ":c": COUNT_PREFIX}),
        "ProjectionExpression": "members",
    }
    return sum(int(item.get("members", 0)) for item in dynamo.query_pages(request))


def members_page(
    tenant_id: str, segment_id: str, limit: int, cursor: str | None
) -> tuple[list[SegmentMember], str | None]:
    page = dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=_segment_pk(tenant_id, segment_id),
        limit=limit,
        cursor=cursor,
        sort_prefix=("sk", MEMBER_PREFIX),
    )
    return [SegmentMember.model_validate(item) for item in page.items], page.next_cursor


# Memberships -------------------------------------------------------------------------------------
def memberships(tenant_id: str, contact_id: str) -> Memberships:
    item = dynamo.get_item(table(), _memberships_key(tenant_id, contact_id))
    if item is None:
        return Memberships(tenant_id=tenant_id, contact_id=contact_id)
    return Memberships.model_validate(item)


class State(NamedTuple):
    """What a contact's segments are decided on: its profile, its insight, its memberships."""

    contact: Contact | None
    insight: Insight | None
    memberships: Memberships


def states(tenant_id: str, contact_ids: list[str]) -> dict[str, State]:
    """Each contact's ``State``, read consistently in one batch read (three items a contact, all
    in the contact's partition; 33 contacts a request)."""
    wanted = list(dict.fromkeys(contact_ids))
    keys = [
        {"pk": contact_pk(tenant_id, contact_id), "sk": sk}
        for contact_id in wanted
        for sk in (PROFILE_SK, INSIGHT_SK, MEMBERSHIPS_SK)
    ]
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for item in dynamo.batch_get(table(), keys):
        found[(str(item["contact_id"]), str(item["sk"]))] = item
    answer = {}
    for contact_id in wanted:
        profile, insight, held = (found.get((contact_id, sk)) for sk in (PROFILE_SK, INSIGHT_SK, MEMBERSHIPS_SK))
        answer[contact_id] = State(
            Contact.model_validate(profile) if profile else None,
            Insight.model_validate(insight) if insight else None,
            Memberships.model_validate(held) if held else Memberships(tenant_id=tenant_id, contact_id=contact_id),
        )
    return answer


def _memberships_item(after: Memberships) -> dict[str, Any]:
    item = {**_memberships_key(after.tenant_id, after.contact_id), "kind": "memberships"}
    item.update(after.model_dump(mode="json", exclude_none=True))
    if after.due_at is not None:
        shard = dynamo.shard_of(after.contact_id, DUE_SHARDS)
        item |= {"gsi1pk": f"SEGDUE#{shard}", "gsi1sk": f"{after.due_at}#{after.tenant_id}#{after.contact_id}"}
    return item


def change(
    before: Memberships,
    after: Memberships,
    entered: list[str],
    left: list[str],
    entered_at: str,
    events: list[BaseModel],
) -> None:
    """One contact's memberships as changed, in one transaction: the memberships item (guarded
    by its version), each segment's member item (created once, deleted once) and a count shard,
    and the events."""
    tx = transaction()
    stale = ConcurrentUpdate("The contact's memberships changed meanwhile; evaluate again.")
    item = _memberships_item(after.model_copy(update={"version": before.version + 1}))
    if before.version == 0:
        tx.create(item, on_fail=stale)
    else:
        tx.put(item, condition="version = :v", values={":v": before.version}, on_fail=stale)
    tenant_id, contact_id = after.tenant_id, after.contact_id
    shard = f"{COUNT_PREFIX}{dynamo.shard_of(contact_id, COUNT_SHARDS)}"
    for segment_id, delta in [(s, 1) for s in entered] + [(s, -1) for s in left]:
        pk = _segment_pk(tenant_id, segment_id)
        member = {"pk": pk, "sk": f"{MEMBER_PREFIX}{contact_id}"}
        if delta > 0:
            tx.create({**member, "kind": "member", "contact_id": contact_id, "entered_at": entered_at}, on_fail=stale)
        else:
            tx.delete(member, condition="attribute_exists(pk)", on_fail=stale)
        tx.update({"pk": pk, "sk": shard}, "ADD members :d SET kind = :k", values={":d": delta, ":k": "segment_count"})
    if events:
        publish_with(tx, tenant_id, *events)
    if len(tx) > MAX_TRANSACTION_ITEMS:
        raise Conflict(f"{len(entered) + len(left)} segments changed at once: more than one transaction holds.")
    tx.commit()


def due(until: str) -> Iterator[tuple[str, str]]:
    """(tenant, contact) of every contact whose segments may change with time by ``until``."""
    for shard in range(DUE_SHARDS):
        for item in dynamo.due_by(table(), GSI, f"SEGDUE#{shard}", until, ("tenant_id", "contact_id")):
            yield item["tenant_id"], item["contact_id"]


# What rules may name -----------------------------------------------------------------------------
def tag_in_use(tenant_id: str, tag: str) -> bool:
    """Whether some contact holds the tag (one query of its index partition, one item)."""
    page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=tag_partition(tenant_id, tag),
        limit=1,
        cursor=None,
        index=GSI,
        attributes=("gsi1sk",),
    )
    return bool(page.items)
