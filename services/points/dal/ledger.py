"""The only code that touches the points table's accounts, entries, check-ins and policy.

Item layout (pk / sk), every key prefixed by the tenant:
- account  T#{t}#ACCOUNT#{contact} / ACCOUNT          balance, lots, counters, version
- entry    T#{t}#ACCOUNT#{contact} / ENTRY#{entry_id}  immutable; ids sort by time
- source   T#{t}#SOURCE#{source} / SOURCE              one per cause in the tenant, whichever account it
  landed on: a replayed cause changes nothing, even after a merge sends the alias's credits to the
  survivor (so a source names its person where the cause is per person: ``checkin:{contact}:{day}``)
- check-in T#{t}#ACCOUNT#{contact} / CHECKIN          last local date and streak length
- policy   T#{t}#POLICY / POLICY                      the tenant's points policy
- daily    T#{t}#DAILY / DAY#{date}#{shard}           points issued, redeemed... per business day
  (see ``daily``), counted in the transaction that writes the entry

An account carries ``gsi1pk = DUE#{shard}`` / ``gsi1sk = {due_at}#{tenant}#{contact}`` while the
scheduled sweep has work on it (expiry, a warning, a tier review): the sweep queries that index
instead of scanning the table.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel

from services.points.models import Account, CheckinState, Entry
from services.points.policy import PointsPolicy
from shared import daily, dynamo, ids
from shared.consumer import AlreadyProcessed
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate, DomainError
from shared.outbox import publish_with
from shared.settings import get_settings

DUE_SHARDS = 8
ENTRY_ID_PREFIX = "pe_"
DUE_INDEX = "gsi1"


def table() -> str:
    return get_settings().table("points")


def due_shard(contact_id: str) -> int:
    """Spreads accounts over the sweep index's partitions (stable across processes)."""
    return dynamo.shard_of(contact_id, DUE_SHARDS)


def account_pk(tenant_id: str, contact_id: str) -> str:
    return f"T#{tenant_id}#ACCOUNT#{contact_id}"


def source_key(tenant_id: str, source: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#SOURCE#{source}", "sk": "SOURCE"}


def source_recorded(tenant_id: str, source: str) -> bool:
    """Whether the cause was applied already (to whichever account)."""
    return dynamo.get_item(table(), source_key(tenant_id, source)) is not None


def get_account(tenant_id: str, contact_id: str) -> Account:
    item = dynamo.get_item(table(), {"pk": account_pk(tenant_id, contact_id), "sk": "ACCOUNT"})
    return Account.model_validate(item) if item else Account(tenant_id=tenant_id, contact_id=contact_id)


@dataclass
class AccountChange:
    """An account's new state, written only over the state it was computed from."""

    before: Account
    after: Account
    entry: Entry | None = None


@dataclass
class LedgerWrite:
    changes: list[AccountChange]
    events: list[BaseModel] = field(default_factory=list)
    prepare: list[Prepare] = field(default_factory=list)  # other items that succeed or fail with it
    tally: daily.DayCount | None = None  # what the entry adds to the tenant's daily figures


def _account_item(change: AccountChange) -> dict[str, Any]:
    after = change.after.model_copy(update={"version": change.before.version + 1})
    item: dict[str, Any] = {
        "pk": account_pk(after.tenant_id, after.contact_id),
        "sk": "ACCOUNT",
        "kind": "account",
        **after.model_dump(mode="json"),
    }
    if after.due_at is not None:
        item["gsi1pk"] = f"DUE#{due_shard(after.contact_id)}"
        item["gsi1sk"] = f"{after.due_at}#{after.tenant_id}#{after.contact_id}"
    return item


def commit(write: LedgerWrite) -> None:
    """Entries, accounts, other items and events in one transaction.

    Raises ``AlreadyProcessed`` if an entry's source was applied before, ``ConcurrentUpdate`` if
    an account moved meanwhile (the caller reads it again), or a prepared item's domain error."""
    tx = Transaction(table())
    for prepare in write.prepare:  # first: their failures (stock, limits) are the caller's answer
        prepare(tx)
    claimed: set[str] = set()  # a merge's two entries share their source: one record
    for change in write.changes:
        tenant_id, contact_id = change.after.tenant_id, change.after.contact_id
        pk = account_pk(tenant_id, contact_id)
        if change.entry is not None:
            source = change.entry.source
            if source not in claimed:
                claimed.add(source)
                record = {"kind": "source", "contact_id": contact_id, "entry_id": change.entry.entry_id}
                tx.create(
                    source_key(tenant_id, source) | record, on_fail=AlreadyProcessed(f"{source} was already applied")
                )
            tx.create({"pk": pk, "sk": f"ENTRY#{change.entry.entry_id}", "kind": "entry", **change.entry.model_dump()})
        tx.put(
            _account_item(change),
            condition="attribute_not_exists(pk)" if change.before.version == 0 else "version = :version",
            values=None if change.before.version == 0 else {":version": change.before.version},
            on_fail=ConcurrentUpdate("The account changed meanwhile."),
        )
    if write.changes and write.tally is not None:
        daily.count(tx, write.changes[0].after.tenant_id, write.tally)
    if write.changes:
        publish_with(tx, write.changes[0].after.tenant_id, *write.events)
    tx.commit()


def due_accounts(until: str, tenant_id: str | None = None) -> Iterator[tuple[str, str]]:
    """(tenant, contact) of every account the sweep has work on by ``until``, from the sweep index."""
    for shard in range(DUE_SHARDS):
        for item in dynamo.due_by(table(), DUE_INDEX, f"DUE#{shard}", until, ("tenant_id", "contact_id")):
            if tenant_id is None or item["tenant_id"] == tenant_id:
                yield item["tenant_id"], item["contact_id"]


# ---- entries -------------------------------------------------------------------------------


def list_entries(
    tenant_id: str, contact_id: str, limit: int, cursor: str | None, types: Sequence[str] | None = None
) -> tuple[list[Entry], str | None]:
    condition = None
    if types:
        values = {f":t{i}": t for i, t in enumerate(types)}
        condition = dynamo.Filter(f"#type IN ({', '.join(values)})", {"#type": "type"}, values)
    page = dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=account_pk(tenant_id, contact_id),
        limit=limit,
        cursor=cursor,
        sort_prefix=("sk", "ENTRY#"),
        newest_first=True,
        filter=condition,
    )
    return [Entry.model_validate(item) for item in page.items], page.next_cursor


def entries_between(tenant_id: str, contact_id: str, start: float, end: float) -> list[Entry]:
    """Every entry created in [start, end) (epoch seconds), oldest first."""
    low, high = _entry_sk_at(start), _entry_sk_at(end)
    return [Entry.model_validate(item) for item in _query_range(tenant_id, contact_id, low, high)]


def _entry_sk_at(moment: float) -> str:
    """The lowest entry key of that millisecond: ids begin with their creation time."""
    return f"ENTRY#{ENTRY_ID_PREFIX}{ids.time_prefix(moment)}"


def last_entry_before(tenant_id: str, contact_id: str, moment: float) -> Entry | None:
    answer = dynamo.client().query(
        TableName=table(),
        KeyConditionExpression="pk = :p AND sk BETWEEN :low AND :high",
        ExpressionAttributeValues=dynamo.serialize(
            {":p": account_pk(tenant_id, contact_id), ":low": "ENTRY#", ":high": _entry_sk_at(moment)}
        ),
        ScanIndexForward=False,
        Limit=1,
        ConsistentRead=True,
    )
    items = answer.get("Items", [])
    return Entry.model_validate(dynamo.deserialize(items[0])) if items else None


def _query_range(tenant_id: str, contact_id: str, low: str, high: str) -> Iterator[dict[str, Any]]:
    return dynamo.query_pages(
        {
            "TableName": table(),
            "KeyConditionExpression": "pk = :p AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": dynamo.serialize(
                {":p": account_pk(tenant_id, contact_id), ":low": low, ":high": high}
            ),
            "ConsistentRead": True,
        }
    )


# ---- policy and check-ins ------------------------------------------------------------------


POLICY_CACHE_SECONDS = 30.0
_policies: dict[str, tuple[float, PointsPolicy]] = {}


def get_policy(tenant_id: str, *, fresh: bool = False) -> PointsPolicy:
    """The tenant's policy, kept for up to 30 s per process: every ledger change needs it, and a
    read per change would be a third of the points hop's requests. A change therefore reaches
    every function within 30 s (at once in the process that made it)."""
    cached = _policies.get(tenant_id)
    if cached is not None and not fresh and cached[0] > time.monotonic():
        return cached[1]
    item = dynamo.get_item(table(), {"pk": f"T#{tenant_id}#POLICY", "sk": "POLICY"}, consistent=False)
    policy = PointsPolicy.model_validate_json(item["policy"]) if item else PointsPolicy()
    _policies[tenant_id] = (time.monotonic() + POLICY_CACHE_SECONDS, policy)
    return policy


def put_policy(tenant_id: str, policy: PointsPolicy, actor: str, updated_at: str) -> None:
    Transaction(table()).put(
        {
            "pk": f"T#{tenant_id}#POLICY",
            "sk": "POLICY",
            "kind": "policy",
            "policy": policy.model_dump_json(),
            "updated_by": actor,
            "updated_at": updated_at,
        }
    ).commit()
    _policies.pop(tenant_id, None)


def get_checkin(tenant_id: str, contact_id: str) -> CheckinState:
    item = dynamo.get_item(table(), {"pk": account_pk(tenant_id, contact_id), "sk": "CHECKIN"})
    return CheckinState.model_validate(item) if item else CheckinState()


def save_checkin(
    tx: Transaction,
    tenant_id: str,
    contact_id: str,
    before: CheckinState,
    after: CheckinState,
    *,
    on_fail: DomainError | None = None,
) -> None:
    """The new streak, written only over the state it was computed from. By default losing that
    race means today's check-in happened (only a check-in moves the streak); a merge that carries
    a streak over names its own error."""
    key = {"pk": account_pk(tenant_id, contact_id), "sk": "CHECKIN"}
    condition, values = (
        ("attribute_not_exists(pk)", {})
        if before.last_date is None
        else ("last_date = :before", {":before": before.last_date.isoformat()})
    )
    tx.put(
        {**key, "kind": "checkin", **after.model_dump(mode="json")},
        condition=condition,
        values=values,
        on_fail=on_fail or AlreadyProcessed("The check-in state changed meanwhile."),
    )


# ---- which contacts exist (from contacts' events) ------------------------------------------


def note_contact(tenant_id: str, contact_id: str, event_id: str) -> None:
    Transaction(table()).put(
        {"pk": account_pk(tenant_id, contact_id), "sk": "CONTACT", "kind": "contact", "noted_by": event_id},
    ).commit()


def contact_known(tenant_id: str, contact_id: str) -> bool:
    """True if contacts announced this contact in this tenant, or its account already exists."""
    answer = dynamo.client().query(
        TableName=table(),
        KeyConditionExpression="pk = :p AND sk BETWEEN :low AND :high",
        ExpressionAttributeValues=dynamo.serialize(
            {":p": account_pk(tenant_id, contact_id), ":low": "ACCOUNT", ":high": "CONTACT"}
        ),
        ProjectionExpression="sk",
        ConsistentRead=True,
    )
    return any(dynamo.deserialize(item)["sk"] in {"ACCOUNT", "CONTACT"} for item in answer.get("Items", []))


def daily_figures(tenant_id: str, dates: list[date], fields: Iterable[str]) -> list[dict[str, Any]]:
    """The tenant's daily counters over ``dates`` (shared.daily): one Query of this table."""
    return daily.read(table(), tenant_id, dates, fields)
