"""Transfers of customers between staff members, each customer's outcome, each customer's transfer
history (WeCom's limit: two in-service transfers per customer in 90 days) and departures.

- transfer   T#{t}#TRANSFER#{id} / TRANSFER         counts kept as n_total, n_sent, n_succeeded…
             gsi1 T#{t}#TRANSFERS#{from_staff} / {created_at}#{id}   (a staff member's, newest first)
             gsi2 T#{t}#TRANSFERS / {created_at}#{id}                 (the tenant's, newest first)
             gsi3 WXFER#DUE#{shard} / {due}#{t}#{id}   only while results are awaited: the sparse due
             index the ``wecom-transfer-results`` schedule reads (never a scan)
- ids        T#{t}#TRANSFER#{id} / IDS#{n:03d}      the listed external_userids, 500 per item
- customer   T#{t}#TRANSFER#{id} / CUST#{external_userid}   its outcome, once its batch was sent
- group      T#{t}#TRANSFER#{id} / GROUP#{chat_id}   a departed transfer's customer group: its
             outcome (moved, failed), written once, with the transfer's g_moved / g_failed counts
- history    T#{t}#XFERHIST#{corp}#{external_userid} / HISTORY   ``recent``: a string set of
             "{epoch}#{transfer_id}" of the in-service transfers started (trimmed to 90 days by
             whoever reads it), ``waiting``: the transfer last started for the customer (TTL 1 year)
- departure  T#{t}#DEPARTURE#{staff} / DEPARTURE    a staff member who left, and the transfer of
             their customers (or none yet: awaiting a successor)
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from services.wecom.dal.directory import directory_pk
from services.wecom.dal.table import table
from services.wecom.transfer_models import (
    Departure,
    Transfer,
    TransferCounts,
    TransferCustomer,
    TransferGroup,
    TransferGroupCounts,
)
from shared import dynamo
from shared.dynamo import MAX_TRANSACTION_ITEMS, Filter, Prepare, Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.manifest import TTL_ATTRIBUTE
from shared.outbox import publish_with

IDS_PER_ITEM = 500
DUE_SHARDS = 4
HISTORY_SECONDS = 366 * 86400
COUNTS = tuple(TransferCounts.model_fields)
GROUP_COUNTS = tuple(TransferGroupCounts.model_fields)
WINDOW_SECONDS = 90 * 86400  # WeCom's limit looks back 90 days: older entries are dropped
BATCH_WRITE_ITEMS = 25  # DynamoDB's limit per BatchWriteItem


class DepartureExists(Conflict):
    """The departure was recorded before (the directory reports a departed member at every sync)."""


class GroupOutcomeRecorded(Conflict):
    """The group's outcome in the transfer was written before (a step run again)."""


def transfer_pk(tenant_id: str, transfer_id: str) -> str:
    return f"T#{tenant_id}#TRANSFER#{transfer_id}"


def _transfer_key(tenant_id: str, transfer_id: str) -> dict[str, str]:
    return {"pk": transfer_pk(tenant_id, transfer_id), "sk": "TRANSFER"}


def _customer_key(tenant_id: str, transfer_id: str, external_userid: str) -> dict[str, str]:
    return {"pk": transfer_pk(tenant_id, transfer_id), "sk": f"CUST#{external_userid}"}


def _history_key(tenant_id: str, corp_id: str, external_userid: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#XFERHIST#{corp_id}#{external_userid}", "sk": "HISTORY"}


def _departure_key(tenant_id: str, staff_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#DEPARTURE#{staff_id}", "sk": "DEPARTURE"}


def _due_shard(transfer_id: str) -> str:
    return f"WXFER#DUE#{dynamo.shard_of(transfer_id, DUE_SHARDS)}"


# ---- the directory ------------------------------------------------------------------------------
def staff_status(tenant_id: str, staff_id: str) -> str | None:
    """The member's directory status (active, disabled, inactive, departed); None: unknown."""
    item = dynamo.get_item(table(), {"pk": directory_pk(tenant_id), "sk": f"STAFF#{staff_id}"}, consistent=False)
    return str(item["status"]) if item and item.get("status") else None


# ---- transfers ----------------------------------------------------------------------------------
def _transfer(item: dict[str, Any]) -> Transfer:
    counts = TransferCounts.model_validate({name: int(item.get(f"n_{name}", 0)) for name in COUNTS})
    groups = TransferGroupCounts.model_validate({name: int(item.get(f"g_{name}", 0)) for name in GROUP_COUNTS})
    fields = {key: item[key] for key in Transfer.model_fields if key in item and key not in ("counts", "groups")}
    return Transfer.model_validate({**fields, "counts": counts, "groups": groups})


def prepare_create(transfer: Transfer, ids: list[str]) -> Prepare:
    """The new transfer and its listed ids, written with the transaction that starts its job."""

    def write(tx: Transaction) -> None:
        t, transfer_id = transfer.tenant_id, transfer.transfer_id
        item: dict[str, Any] = {
            **_transfer_key(t, transfer_id),
            "kind": "transfer",
            **transfer.model_dump(exclude={"counts", "groups"}, exclude_none=True),
            **{f"n_{name}": value for name, value in transfer.counts.model_dump().items()},
            "gsi1pk": f"T#{t}#TRANSFERS#{transfer.from_staff}",
            "gsi1sk": f"{transfer.created_at}#{transfer_id}",
            "gsi2pk": f"T#{t}#TRANSFERS",
            "gsi2sk": f"{transfer.created_at}#{transfer_id}",
        }
        tx.create(item, on_fail=Conflict("The transfer exists already."))
        for number, start in enumerate(range(0, len(ids), IDS_PER_ITEM)):
            tx.put(
                {"pk": transfer_pk(t, transfer_id), "sk": f"IDS#{number:03d}", "ids": ids[start : start + IDS_PER_ITEM]}
            )

    return write


def get(tenant_id: str, transfer_id: str) -> Transfer | None:
    item = dynamo.get_item(table(), _transfer_key(tenant_id, transfer_id))
    return _transfer(item) if item else None


def page(tenant_id: str, from_staff: str | None, limit: int, cursor: str | None) -> tuple[list[Transfer], str | None]:
    index, partition = (
        ("gsi1", f"T#{tenant_id}#TRANSFERS#{from_staff}") if from_staff else ("gsi2", f"T#{tenant_id}#TRANSFERS")
    )
    found = dynamo.query_page(
        table(),
        index=index,
        partition_attr=f"{index}pk",
        partition_value=partition,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [_transfer(item) for item in found.items], found.next_cursor


def listed_ids(tenant_id: str, transfer_id: str, start: int, count: int) -> list[str]:
    """``count`` of the listed ids from position ``start`` (fewer at the end)."""
    wanted = range(start // IDS_PER_ITEM, (start + count - 1) // IDS_PER_ITEM + 1)
    keys = [{"pk": transfer_pk(tenant_id, transfer_id), "sk": f"IDS#{number:03d}"} for number in wanted]
    chunks = {str(item["sk"]): list(item["ids"]) for item in dynamo.batch_get(table(), keys)}
    ids = [value for number in wanted for value in chunks.get(f"IDS#{number:03d}", [])]
    offset = start - wanted.start * IDS_PER_ITEM
    return ids[offset : offset + count]


def set_state(
    tenant_id: str,
    transfer_id: str,
    *,
    updated_at: str,
    status: str | None = None,
    error: str | None = None,
    due: str | None = None,
    first_result_at: str | None = None,
    add_total: int = 0,
    clear_due: bool = False,
    events: tuple[BaseModel, ...] = (),
) -> None:
    """Move the transfer's status, due time (None: not awaiting results: out of the due index) and
    total, with events."""
    sets = ["updated_at = :u"]
    names: dict[str, str] = {}
    values: dict[str, Any] = {":u": updated_at}
    if status is not None:
        sets.append("#status = :s")
        names["#status"] = "status"
        values[":s"] = status
    if error is not None:
        sets.append("#error = :e")
        names["#error"] = "error"
        values[":e"] = error[:500]
    if first_result_at is not None:
        sets.append("first_result_at = if_not_exists(first_result_at, :f)")
        values[":f"] = first_result_at
    if due is not None:
        sets += ["gsi3pk = :dp", "gsi3sk = :ds"]
        values[":dp"] = _due_shard(transfer_id)
        values[":ds"] = f"{due}#{tenant_id}#{transfer_id}"
    expression = "SET " + ", ".join(sets)
    if add_total:
        expression += " ADD n_total :t"
        values[":t"] = add_total
    if clear_due or (due is None and status is not None and status != "waiting"):
        expression += " REMOVE gsi3pk, gsi3sk"
    tx = Transaction(table()).update(
        _transfer_key(tenant_id, transfer_id),
        expression,
        names=names or None,
        values=values,
        condition="attribute_exists(pk)",
        on_fail=ConcurrentUpdate("no such transfer"),
    )
    publish_with(tx, tenant_id, *events).commit()


def due(shard: int, until: str, most: int) -> list[tuple[str, str]]:
    """(tenant, transfer id) of transfers whose results are due to be polled by ``until``, across
    tenants, earliest first."""
    found = dynamo.due_by(table(), "gsi3", f"WXFER#DUE#{shard}", until, ("tenant_id", "transfer_id"), most)
    return [(str(item["tenant_id"]), str(item["transfer_id"])) for item in found]


# ---- customers ----------------------------------------------------------------------------------
def customers(tenant_id: str, transfer_id: str, external_userids: Iterable[str]) -> dict[str, TransferCustomer]:
    keys = [_customer_key(tenant_id, transfer_id, external) for external in dict.fromkeys(external_userids)]
    return {
        str(item["external_userid"]): TransferCustomer.model_validate(item) for item in dynamo.batch_get(table(), keys)
    }


def customer(tenant_id: str, transfer_id: str, external_userid: str) -> TransferCustomer | None:
    item = dynamo.get_item(table(), _customer_key(tenant_id, transfer_id, external_userid))
    return TransferCustomer.model_validate(item) if item else None


def customers_page(
    tenant_id: str, transfer_id: str, outcome: str | None, limit: int, cursor: str | None
) -> tuple[list[TransferCustomer], str | None]:
    found = dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=transfer_pk(tenant_id, transfer_id),
        sort_prefix=("sk", "CUST#"),
        limit=limit,
        cursor=cursor,
        filter=Filter("outcome = :o", {}, {":o": outcome}) if outcome else None,
    )
    return [TransferCustomer.model_validate(item) for item in found.items], found.next_cursor


def waiting(tenant_id: str, transfer_id: str) -> list[TransferCustomer]:
    """Every customer of the transfer whose result is awaited (the transfer's own partition)."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "FilterExpression": "outcome = :o",
        "ExpressionAttributeValues": dynamo.serialize(
            {":p": transfer_pk(tenant_id, transfer_id), ":s": "CUST#", ":o": "waiting"}
        ),
        "ConsistentRead": True,
    }
    return [TransferCustomer.model_validate(item) for item in dynamo.query_pages(request)]


# ---- customer groups (departed transfers) --------------------------------------------------------
def _group_key(tenant_id: str, transfer_id: str, chat_id: str) -> dict[str, str]:
    return {"pk": transfer_pk(tenant_id, transfer_id), "sk": f"GROUP#{chat_id}"}


def group_outcomes(tenant_id: str, transfer_id: str, chat_ids: Iterable[str]) -> dict[str, TransferGroup]:
    """The outcomes written already among ``chat_ids``, by chat id (read consistently)."""
    keys = [_group_key(tenant_id, transfer_id, chat_id) for chat_id in dict.fromkeys(chat_ids)]
    return {str(item["chat_id"]): _transfer_group(item) for item in dynamo.batch_get(table(), keys)}


def _transfer_group(item: dict[str, Any]) -> TransferGroup:
    return TransferGroup.model_validate({key: item[key] for key in TransferGroup.model_fields if key in item})


def prepare_group_outcome(tenant_id: str, transfer_id: str, row: TransferGroup, event: BaseModel) -> Prepare:
    """The group's outcome (once: GroupOutcomeRecorded when written before), the transfer's group
    count and the event, added to the caller's transaction (the group's new owner, when moved)."""

    def write(tx: Transaction) -> None:
        tx.put(
            {
                **_group_key(tenant_id, transfer_id, row.chat_id),
                "kind": "transfer_group",
                **row.model_dump(exclude_none=True),
            },
            condition="attribute_not_exists(pk)",
            on_fail=GroupOutcomeRecorded(row.chat_id),
        )
        tx.update(
            _transfer_key(tenant_id, transfer_id),
            f"SET updated_at = :u ADD g_{row.outcome} :one",
            values={":u": row.sent_at, ":one": 1},
        )
        publish_with(tx, tenant_id, event)

    return write


def record_group_outcome(tenant_id: str, transfer_id: str, row: TransferGroup, event: BaseModel) -> None:
    """A group's outcome alone (a failure: the group itself does not change)."""
    tx = Transaction(table())
    prepare_group_outcome(tenant_id, transfer_id, row, event)(tx)
    tx.commit()


def groups_page(
    tenant_id: str, transfer_id: str, outcome: str | None, limit: int, cursor: str | None
) -> tuple[list[TransferGroup], str | None]:
    found = dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=transfer_pk(tenant_id, transfer_id),
        sort_prefix=("sk", "GROUP#"),
        limit=limit,
        cursor=cursor,
        filter=Filter("outcome = :o", {}, {":o": outcome}) if outcome else None,
    )
    return [_transfer_group(item) for item in found.items], found.next_cursor


@dataclass(frozen=True)
class History:
    recent: list[tuple[int, str]]  # (epoch, transfer id) of in-service transfers started
    waiting: str | None


def histories(tenant_id: str, corp_id: str, external_userids: Iterable[str]) -> dict[str, History]:
    wanted = {external: _history_key(tenant_id, corp_id, external) for external in dict.fromkeys(external_userids)}
    by_pk = {key["pk"]: external for external, key in wanted.items()}
    found: dict[str, History] = {}
    for item in dynamo.batch_get(table(), wanted.values()):
        recent = [(int(entry.split("#", 1)[0]), entry.split("#", 1)[1]) for entry in item.get("recent", set())]
        found[by_pk[str(item["pk"])]] = History(sorted(recent), item.get("waiting"))
    return found


def history(tenant_id: str, corp_id: str, external_userid: str) -> History | None:
    return histories(tenant_id, corp_id, [external_userid]).get(external_userid)


@dataclass(frozen=True)
class Sent:
    """One customer of a batch: its outcome, whether a transfer was started at WeCom (its history
    records it) and the event announcing a final outcome."""

    customer: TransferCustomer
    started_at: int | None = None
    event: BaseModel | None = None


def record_sent(
    tenant_id: str, transfer: Transfer, rows: list[Sent], known: dict[str, History], updated_at: str
) -> None:
    """A batch's outcomes. First the histories of the customers whose transfer started (``known``:
    their histories as read; written whole, as WeCom's own limit guards the rare concurrent
    transfer of one customer), then each customer with its event and the transfer's counts, as
    few transactions as DynamoDB's limit allows. A customer is written once (a step run again
    skips those already written)."""
    _put_histories(tenant_id, transfer, [row for row in rows if row.started_at is not None], known)
    chunk: list[Sent] = []
    size = 1  # the transfer's counts
    for row in rows:
        need = 1 + (row.event is not None)
        if size + need > MAX_TRANSACTION_ITEMS:
            _write_rows(tenant_id, transfer, chunk, updated_at)
            chunk, size = [], 1
        chunk.append(row)
        size += need
    if chunk:
        _write_rows(tenant_id, transfer, chunk, updated_at)


def _write_rows(tenant_id: str, transfer: Transfer, chunk: list[Sent], updated_at: str) -> None:
    tx = Transaction(table())
    deltas = {"sent": len(chunk)}
    for row in chunk:
        deltas[row.customer.outcome] = deltas.get(row.customer.outcome, 0) + 1
        tx.put(
            {
                **_customer_key(tenant_id, transfer.transfer_id, row.customer.external_userid),
                "kind": "transfer_customer",
                **row.customer.model_dump(exclude_none=True),
            },
            condition="attribute_not_exists(pk)",
            on_fail=ConcurrentUpdate("the customer's outcome was written meanwhile"),
        )
    _add_counts(tx, tenant_id, transfer.transfer_id, deltas, updated_at)
    publish_with(tx, tenant_id, *(row.event for row in chunk if row.event is not None)).commit()


def _put_histories(tenant_id: str, transfer: Transfer, started: list[Sent], known: dict[str, History]) -> None:
    expiry = int(time.time()) + HISTORY_SECONDS
    items = []
    for row in started:
        assert row.started_at is not None
        external = row.customer.external_userid
        before = known.get(external)
        recent = {
            f"{at:012d}#{other}"
            for at, other in (before.recent if before else [])
            if at > row.started_at - WINDOW_SECONDS
        }
        if not transfer.departed:  # WeCom's limit counts in-service transfers
            recent.add(f"{row.started_at:012d}#{transfer.transfer_id}")
        item: dict[str, Any] = {
            **_history_key(tenant_id, transfer.corp_id, external),
            "kind": "transfer_history",
            "waiting": transfer.transfer_id,
            TTL_ATTRIBUTE: expiry,
        }
        if recent:
            item["recent"] = recent
        items.append({"PutRequest": {"Item": dynamo.serialize(item)}})
    for start in range(0, len(items), BATCH_WRITE_ITEMS):
        pending: dict[str, Any] = {table(): items[start : start + BATCH_WRITE_ITEMS]}
        while pending:
            pending = dynamo.client().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _add_counts(tx: Transaction, tenant_id: str, transfer_id: str, deltas: dict[str, int], updated_at: str) -> None:
    adds = {f":{name}": value for name, value in deltas.items() if value}
    expression = "SET updated_at = :u ADD " + ", ".join(f"n_{name[1:]} {name}" for name in adds)
    tx.update(_transfer_key(tenant_id, transfer_id), expression, values={":u": updated_at, **adds})


def record_settled(
    tenant_id: str,
    transfer_id: str,
    before: TransferCustomer,
    after: TransferCustomer,
    events: list[BaseModel],
    updated_at: str,
    prepares: tuple[Prepare, ...] = (),
) -> None:
    """A waiting customer's final outcome, its event and the transfer's counts, once: ConcurrentUpdate
    when it was settled meanwhile (a poll and a transfer_fail callback, two polls)."""
    tx = Transaction(table()).put(
        {
            **_customer_key(tenant_id, transfer_id, after.external_userid),
            "kind": "transfer_customer",
            **after.model_dump(exclude_none=True),
        },
        condition="outcome = :waiting",
        values={":waiting": before.outcome},
        on_fail=ConcurrentUpdate("settled meanwhile"),
    )
    _add_counts(tx, tenant_id, transfer_id, {"waiting": -1, after.outcome: 1}, updated_at)
    for prepare in prepares:
        prepare(tx)
    publish_with(tx, tenant_id, *events).commit()


# ---- departures ---------------------------------------------------------------------------------
def departure(tenant_id: str, staff_id: str) -> Departure | None:
    item = dynamo.get_item(table(), _departure_key(tenant_id, staff_id))
    return Departure.model_validate(item) if item else None


def prepare_departure(tenant_id: str, record: Departure, *, first: bool) -> Prepare:
    """The departure as recorded (``first``: only if none was recorded before, else DepartureExists)."""

    def write(tx: Transaction) -> None:
        item = {
            **_departure_key(tenant_id, record.staff_id),
            "kind": "departure",
            **record.model_dump(exclude_none=True),
        }
        if first:
            tx.create(item, on_fail=DepartureExists(record.staff_id))
        else:
            tx.put(item)

    return write


def save_departure(tenant_id: str, record: Departure, prepares: tuple[Prepare, ...] = ()) -> None:
    tx = Transaction(table())
    prepare_departure(tenant_id, record, first=True)(tx)
    for prepare in prepares:
        prepare(tx)
    tx.commit()
