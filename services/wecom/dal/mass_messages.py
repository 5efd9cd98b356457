"""WeCom 群发 tasks, one per outreach dispatch (a staff member's share of a broadcast).

- task   T#{t}#WMASS#{dispatch_id} / MASS   the dispatch's state (ready, calling, created, failed),
         its call's claim, WeCom's msgid and fail_list count, and the latest polled counts
         gsi1 T#{t}#WMASSMSG#{msgid} / MASS              (a task by WeCom's msgid, once created)
         gsi3 WMASS#DUE#{shard} / {due}#{t}#{dispatch_id}   only while results are awaited: the
         sparse due index the ``wecom-mass-message-results`` schedule reads (never a scan)

Every write is conditioned on the state it moves from, so two deliveries of one dispatch never
both call WeCom, and two polls of one task never both publish (``polls`` is the version).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from services.wecom.dal.table import table
from services.wecom.mass_message_models import MassMessage
from shared import dynamo
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate
from shared.outbox import publish_with

DUE_SHARDS = 4
SK = "MASS"


class ClaimLost(ConcurrentUpdate):
    """Another delivery of the dispatch holds the call, or settled it meanwhile."""


def _pk(tenant_id: str, dispatch_id: str) -> str:
    return f"T#{tenant_id}#WMASS#{dispatch_id}"


def _key(tenant_id: str, dispatch_id: str) -> dict[str, str]:
    return {"pk": _pk(tenant_id, dispatch_id), "sk": SK}


def _due_shard(dispatch_id: str) -> str:
    return f"WMASS#DUE#{dynamo.shard_of(dispatch_id, DUE_SHARDS)}"


def _record(item: dict[str, Any]) -> MassMessage:
    return MassMessage.model_validate({key: item[key] for key in MassMessage.model_fields if key in item})


def _item(record: MassMessage, due: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {**_key(record.tenant_id, record.dispatch_id), "kind": "mass_message"}
    item.update(record.model_dump(exclude_none=True))
    if record.msgid:
        item["gsi1pk"] = f"T#{record.tenant_id}#WMASSMSG#{record.msgid}"
        item["gsi1sk"] = SK
    if due is not None:
        item["gsi3pk"] = _due_shard(record.dispatch_id)
        item["gsi3sk"] = f"{due}#{record.tenant_id}#{record.dispatch_id}"
    return item


def get(tenant_id: str, dispatch_id: str) -> MassMessage | None:
    item = dynamo.get_item(table(), _key(tenant_id, dispatch_id))
    return _record(item) if item else None


def by_msgid(tenant_id: str, msgid: str) -> MassMessage | None:
    """The task WeCom knows as ``msgid`` (the index is eventually consistent: read the item again)."""
    found = dynamo.query_page(
        table(),
        index="gsi1",
        partition_attr="gsi1pk",
        partition_value=f"T#{tenant_id}#WMASSMSG#{msgid}",
        limit=1,
        cursor=None,
        attributes=("dispatch_id",),
    )
    return get(tenant_id, str(found.items[0]["dispatch_id"])) if found.items else None


def claim(record: MassMessage) -> None:
    """Take the call of add_msg_template for the dispatch: only when it was never asked or its
    last call went unanswered (``ready``); ClaimLost otherwise. ``record``: the task as claimed
    (state ``calling``, its attempts and claimed_at)."""
    item = _item(record, None)
    Transaction(table()).put(
        item,
        condition="attribute_not_exists(pk) OR #state = :ready",
        names={"#state": "state"},
        values={":ready": "ready"},
        on_fail=ClaimLost(f"dispatch {record.dispatch_id} is claimed or settled"),
    ).commit()


def release(record: MassMessage) -> None:
    """The claimed call went unanswered: the next delivery may call again (unless another took it)."""
    _from_claim(Transaction(table()), record, record.model_copy(update={"state": "ready"}), None).commit()


def _from_claim(tx: Transaction, claimed: MassMessage, after: MassMessage, due: str | None) -> Transaction:
    return tx.put(
        _item(after, due),
        condition="#state = :calling AND claimed_at = :claimed",
        names={"#state": "state"},
        values={":calling": "calling", ":claimed": claimed.claimed_at},
        on_fail=ClaimLost(f"dispatch {claimed.dispatch_id} was settled meanwhile"),
    )


def settle(
    before: MassMessage | None,
    after: MassMessage,
    event: BaseModel,
    *,
    due: str | None = None,
    prepares: tuple[Prepare, ...] = (),
) -> None:
    """The dispatch's outcome (``created`` with its first due poll, or ``failed``) with its event,
    once: from the claim ``before`` holds (state calling), or, with ``before`` None or ready, without
    a call (it could not be asked). ClaimLost when it moved meanwhile."""
    tx = Transaction(table())
    if before is not None and before.state == "calling":
        _from_claim(tx, before, after, due)
    else:
        tx.put(
            _item(after, due),
            condition="attribute_not_exists(pk) OR #state = :ready",
            names={"#state": "state"},
            values={":ready": "ready"},
            on_fail=ClaimLost(f"dispatch {after.dispatch_id} is claimed or settled"),
        )
    for prepare in prepares:
        prepare(tx)
    publish_with(tx, after.tenant_id, event).commit()


def record_poll(before: MassMessage, after: MassMessage, due: str | None, event: BaseModel | None) -> None:
    """A poll's counts and next due time (None: final, out of the due index), with the event when
    something changed; once per version (ConcurrentUpdate when another poll wrote first)."""
    tx = Transaction(table()).put(
        _item(after.model_copy(update={"polls": before.polls + 1}), due),
        condition="polls = :polls AND #state = :created",
        names={"#state": "state"},
        values={":polls": before.polls, ":created": "created"},
        on_fail=ConcurrentUpdate(f"task {before.dispatch_id} was polled meanwhile"),
    )
    publish_with(tx, before.tenant_id, *((event,) if event is not None else ())).commit()


def due(shard: int, until: str, most: int) -> list[tuple[str, str]]:
    """(tenant, dispatch id) of the tasks whose results are due to be polled by ``until``, across
    tenants, earliest first."""
    found = dynamo.due_by(table(), "gsi3", f"WMASS#DUE#{shard}", until, ("tenant_id", "dispatch_id"), most)
    return [(str(item["tenant_id"]), str(item["dispatch_id"])) for item in found]
