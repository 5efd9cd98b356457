"""Broadcasts, their recipients and their WeCom dispatches.

Partitions (pk):
- T#{t}#BCAST#{broadcast_id}   the broadcast (sk BCAST; gsi1 T#{t}#BCASTS newest first; gsi3
                               OUTREACH#DUE#{shard} / {scheduled_for}#… while scheduled), one record
                               per contact of its audience (sk R#{contact_id}: queued with its address,
                               or skipped with the reason; written once), one per dispatch (sk
                               D#{dispatch_id}) and one per conversion counted (sk V#{contact_id})
- T#{t}#TRACKED#{code}         the broadcasts that link to a channel code (sk B#{broadcast_id})

The stats are top-level counters on the broadcast item (``stat_<name>``, ``skip_<reason>``), so a
page of planning adds its counts in the transaction that moves the broadcast on.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from services.outreach.broadcast_models import Broadcast, BroadcastStats, Dispatch
from services.outreach.dal.table import table
from shared.clock import now_rfc3339
from shared.consumer import AlreadyProcessed
from shared.dynamo import Filter, Prepare, Transaction, batch_get, due_by, get_item, partition_items, query_page
from shared.errors import ConcurrentUpdate
from shared.outbox import publish_with

SK = "BCAST"
DUE_SHARDS = 4
STAT_FIELDS = ("targeted", "queued", "sent", "delivered", "failed", "conversions")


def _pk(tenant_id: str, broadcast_id: str) -> str:
    return f"T#{tenant_id}#BCAST#{broadcast_id}"


def key(tenant_id: str, broadcast_id: str) -> dict[str, str]:
    return {"pk": _pk(tenant_id, broadcast_id), "sk": SK}


def _due_partition(shard: int) -> str:
    return f"OUTREACH#DUE#{shard}"


def _item(broadcast: Broadcast) -> dict[str, Any]:
    data = broadcast.model_dump(mode="json", exclude={"stats"})
    item: dict[str, Any] = {
        **key(broadcast.tenant_id, broadcast.broadcast_id),
        **{name: value for name, value in data.items() if value is not None},
        "gsi1pk": f"T#{broadcast.tenant_id}#BCASTS",
        "gsi1sk": f"{broadcast.created_at}#{broadcast.broadcast_id}",
    }
    for name in STAT_FIELDS:
        item[f"stat_{name}"] = getattr(broadcast.stats, name)
    for reason, count in broadcast.stats.skipped.items():
        item[f"skip_{reason}"] = count
    if broadcast.status == "scheduled":
        from shared.dynamo import shard_of

        item["gsi3pk"] = _due_partition(shard_of(broadcast.broadcast_id, DUE_SHARDS))
        item["gsi3sk"] = f"{broadcast.scheduled_for}#{broadcast.tenant_id}#{broadcast.broadcast_id}"
    return item


def _broadcast(item: Mapping[str, Any]) -> Broadcast:
    stats = BroadcastStats(
        **{name: int(item.get(f"stat_{name}", 0)) for name in STAT_FIELDS},
        skipped={name.removeprefix("skip_"): int(value) for name, value in item.items() if name.startswith("skip_")},
    )
    fields = {
        name: value
        for name, value in item.items()
        if not name.startswith(("stat_", "skip_", "gsi")) and name not in ("pk", "sk")
    }
    return Broadcast.model_validate({**fields, "stats": stats})


def _tracked_key(tenant_id: str, code: str, broadcast_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#TRACKED#{code}", "sk": f"B#{broadcast_id}"}


def create(broadcast: Broadcast, prepare: Prepare | None = None) -> None:
    tx = Transaction(table())
    if prepare is not None:
        prepare(tx)
    tx.create(_item(broadcast))
    if broadcast.tracked_code:
        tx.put(
            {
                **_tracked_key(broadcast.tenant_id, broadcast.tracked_code, broadcast.broadcast_id),
                "broadcast_id": broadcast.broadcast_id,
            }
        )
    tx.commit()


def tracking(tenant_id: str, code: str) -> list[str]:
    """The broadcasts whose message links to the channel code ``code``."""
    return [str(item["broadcast_id"]) for item in partition_items(table(), f"T#{tenant_id}#TRACKED#{code}")]


def count_conversion(tx: Transaction, tenant_id: str, broadcast_id: str, contact_id: str, conversion_id: str) -> None:
    """The contact's conversion counted for the broadcast, once (whatever the redeliveries)."""
    tx.put(
        {"pk": _pk(tenant_id, broadcast_id), "sk": f"V#{contact_id}", "conversion_id": conversion_id},
        condition="attribute_not_exists(pk)",
        on_fail=AlreadyProcessed("The conversion is counted already."),
    )
    add_counts(tx, tenant_id, broadcast_id, {"conversions": 1})


def get(tenant_id: str, broadcast_id: str) -> Broadcast | None:
    item = get_item(table(), key(tenant_id, broadcast_id))
    return _broadcast(item) if item else None


def page(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Broadcast], str | None]:
    found = query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=f"T#{tenant_id}#BCASTS",
        index="gsi1",
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [_broadcast(item) for item in found.items], found.next_cursor


def replace(before: Broadcast, after: Broadcast, *, events: Iterable[Any] = (), prepare: Prepare | None = None) -> None:
    """Write ``after`` (its version one more) if the broadcast is still at ``before``'s version."""
    tx = Transaction(table())
    if prepare is not None:
        prepare(tx)
    tx.put(
        _item(after),
        condition="version = :v",
        values={":v": before.version},
        on_fail=ConcurrentUpdate("The broadcast changed meanwhile; read it again."),
    )
    publish_with(tx, after.tenant_id, *events)
    tx.commit()


def advance(
    tx: Transaction,
    broadcast: Broadcast,
    changes: Mapping[str, Any],
    counts: Mapping[str, int],
    skipped: Mapping[str, int],
) -> Transaction:
    """Set ``changes`` and add ``counts``/``skipped`` to the stats, on the broadcast's version
    (planning steps one page at a time: a step already taken cannot be taken twice)."""
    sets = ["version = version + :one", "updated_at = :now"]
    adds: list[str] = []
    removes: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {":one": 1, ":now": now_rfc3339(), ":v": broadcast.version}
    for number, (name, value) in enumerate(changes.items()):
        names[f"#c{number}"] = name
        if value is None:
            removes.append(f"#c{number}")
        else:
            sets.append(f"#c{number} = :c{number}")
            values[f":c{number}"] = value
    for number, (name, value) in enumerate(
        {**{f"stat_{k}": v for k, v in counts.items()}, **{f"skip_{k}": v for k, v in skipped.items()}}.items()
    ):
        if value:
            names[f"#n{number}"] = name
            adds.append(f"#n{number} :n{number}")
            values[f":n{number}"] = value
    expression = "SET " + ", ".join(sets)
    if adds:
        expression += " ADD " + ", ".join(adds)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    return tx.update(
        key(broadcast.tenant_id, broadcast.broadcast_id),
        expression,
        condition="version = :v",
        names=names,
        values=values,
        on_fail=ConcurrentUpdate("The broadcast moved on meanwhile."),
    )


def add_counts(
    tx: Transaction, tenant_id: str, broadcast_id: str, counts: Mapping[str, int], open_dispatches: int = 0
) -> Transaction:
    """Add to the stats (and to the count of dispatches still open) without touching the version:
    WeCom's answers come while nothing else changes the broadcast but other answers."""
    adds = {f"stat_{name}": value for name, value in counts.items() if value}
    if open_dispatches:
        adds["open_dispatches"] = open_dispatches
    if not adds:
        return tx
    names = {f"#n{number}": name for number, name in enumerate(adds)}
    values = {f":n{number}": value for number, value in enumerate(adds.values())}
    return tx.update(
        key(tenant_id, broadcast_id),
        "ADD " + ", ".join(f"#n{number} :n{number}" for number in range(len(adds))),
        condition="attribute_exists(pk)",
        names=names,
        values=values,
    )


# Recipients -------------------------------------------------------------------------------


def recipient_key(tenant_id: str, broadcast_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": _pk(tenant_id, broadcast_id), "sk": f"R#{contact_id}"}


def recipients_recorded(tenant_id: str, broadcast_id: str, contact_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The records already written for these contacts (a page planned again after a retry)."""
    keys = [recipient_key(tenant_id, broadcast_id, contact_id) for contact_id in contact_ids]
    return {str(item["contact_id"]): item for item in batch_get(table(), keys)}


def record_recipient(tx: Transaction, tenant_id: str, broadcast_id: str, record: Mapping[str, Any]) -> Transaction:
    """A contact's outcome in the broadcast, written once."""
    item = {**recipient_key(tenant_id, broadcast_id, str(record["contact_id"])), **record}
    return tx.put(
        {name: value for name, value in item.items() if value is not None},
        condition="attribute_not_exists(pk)",
        on_fail=AlreadyProcessed("The contact's outcome is recorded already.", contact_id=str(record["contact_id"])),
    )


def claim_attempt(tenant_id: str, broadcast_id: str, contact_id: str) -> bool:
    """About to send: True for the one caller that may (a send found attempted but not settled
    after a crash, or claimed by a concurrent delivery of the same step, is never made again)."""
    tx = Transaction(table())
    tx.update(
        recipient_key(tenant_id, broadcast_id, contact_id),
        "SET attempted = :t, attempted_at = :at",
        condition="attribute_not_exists(attempted)",
        values={":t": True, ":at": int(time.time())},
        on_fail=ConcurrentUpdate("Another delivery of the step is sending to the contact."),
    )
    try:
        tx.commit()
    except ConcurrentUpdate:
        return False
    return True


def set_recipient_state(tenant_id: str, broadcast_id: str, contact_id: str, state: str, reason: str | None) -> None:
    tx = Transaction(table())
    values: dict[str, Any] = {":s": state, ":now": now_rfc3339()}
    expression = "SET #state = :s, updated_at = :now"
    if reason:
        expression += ", reason = :r"
        values[":r"] = reason
    tx.update(recipient_key(tenant_id, broadcast_id, contact_id), expression, names={"#state": "state"}, values=values)
    tx.commit()


def queued_recipients(tenant_id: str, broadcast_id: str) -> Iterator[dict[str, Any]]:
    """Every recipient queued to send (its address with it), in contact order."""
    queued = Filter("outcome = :q", {}, {":q": "queued"})
    return partition_items(table(), _pk(tenant_id, broadcast_id), "R#", filter=queued)


# Dispatches --------------------------------------------------------------------------------


def _dispatch_key(tenant_id: str, broadcast_id: str, dispatch_id: str) -> dict[str, str]:
    return {"pk": _pk(tenant_id, broadcast_id), "sk": f"D#{dispatch_id}"}


def create_dispatch(tx: Transaction, dispatch: Dispatch) -> Transaction:
    item = {
        **_dispatch_key(dispatch.tenant_id, dispatch.broadcast_id, dispatch.dispatch_id),
        **dispatch.model_dump(mode="json", exclude_none=True),
    }
    return tx.put(item, condition="attribute_not_exists(pk)", on_fail=AlreadyProcessed("The dispatch is made already."))


def get_dispatch(tenant_id: str, broadcast_id: str, dispatch_id: str) -> Dispatch | None:
    item = get_item(table(), _dispatch_key(tenant_id, broadcast_id, dispatch_id))
    return Dispatch.model_validate(item) if item else None


def replace_dispatch(tx: Transaction, before: Dispatch, after: Dispatch) -> Transaction:
    """Write ``after`` if the dispatch is still as ``before`` was read (its updated_at)."""
    item = {
        **_dispatch_key(after.tenant_id, after.broadcast_id, after.dispatch_id),
        **after.model_dump(mode="json", exclude_none=True),
    }
    return tx.put(
        item,
        condition="updated_at = :u",
        values={":u": before.updated_at},
        on_fail=ConcurrentUpdate("The dispatch changed meanwhile."),
    )


def dispatches_page(
    tenant_id: str, broadcast_id: str, limit: int, cursor: str | None
) -> tuple[list[Dispatch], str | None]:
    found = query_page(
        table(),
        partition_attr="pk",
        partition_value=_pk(tenant_id, broadcast_id),
        sort_prefix=("sk", "D#"),
        limit=limit,
        cursor=cursor,
    )
    return [Dispatch.model_validate(item) for item in found.items], found.next_cursor


# The due index ------------------------------------------------------------------------------


def due(until: str) -> Iterator[tuple[str, str]]:
    """(tenant, broadcast) of every scheduled broadcast due by ``until``, earliest first."""
    for shard in range(DUE_SHARDS):
        for item in due_by(table(), "gsi3", _due_partition(shard), until, ("tenant_id", "broadcast_id")):
            yield str(item["tenant_id"]), str(item["broadcast_id"])
