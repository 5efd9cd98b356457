"""The only code that touches the points table.

Item layout (pk / sk), every key prefixed by the tenant:
- account  T#{t}#ACCOUNT#{contact} / ACCOUNT          balance, lifetime_earned, version
- entry    T#{t}#ACCOUNT#{contact} / ENTRY#{entry_id}  immutable; ids sort by time
- source   T#{t}#ACCOUNT#{contact} / SOURCE#{source}   one per cause: a replayed cause credits nothing
- check-in T#{t}#ACCOUNT#{contact} / CHECKIN          last local date and streak length
- policy   T#{t}#POLICY / POLICY                      the tenant's points policy
"""

from __future__ import annotations

from pydantic import BaseModel

from services.points.models import Account, CheckinState, Entry
from services.points.policy import PointsPolicy
from shared import dynamo
from shared.consumer import AlreadyProcessed
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate
from shared.idempotency import Prepare
from shared.outbox import publish_with
from shared.settings import get_settings


def table() -> str:
    return get_settings().table("points")


def account_pk(tenant_id: str, contact_id: str) -> str:
    return f"T#{tenant_id}#ACCOUNT#{contact_id}"


def get_account(tenant_id: str, contact_id: str) -> Account:
    item = dynamo.get_item(table(), {"pk": account_pk(tenant_id, contact_id), "sk": "ACCOUNT"})
    return Account.model_validate(item) if item else Account(tenant_id=tenant_id, contact_id=contact_id)


def append(
    account: Account, entry: Entry, lifetime_delta: int, events: list[BaseModel], prepare: Prepare | None = None
) -> None:
    """Write an entry and the balance it leads to, once per source, with its events.

    Raises ``AlreadyProcessed`` if the source was already applied, ``ConcurrentUpdate`` if the
    account moved meanwhile (the caller reads it again)."""
    pk = account_pk(account.tenant_id, account.contact_id)
    tx = Transaction(table())
    tx.create(
        {"pk": pk, "sk": f"SOURCE#{entry.source}", "kind": "source", "entry_id": entry.entry_id},
        on_fail=AlreadyProcessed(f"{entry.source} was already applied"),
    )
    tx.create({"pk": pk, "sk": f"ENTRY#{entry.entry_id}", "kind": "entry", **entry.model_dump()})
    values = {
        ":balance": entry.balance_after,
        ":lifetime": account.lifetime_earned + lifetime_delta,
        ":next": account.version + 1,
        ":version": account.version,
        ":tenant": account.tenant_id,
        ":contact": account.contact_id,
    }
    tx.update(
        {"pk": pk, "sk": "ACCOUNT"},
        "SET balance = :balance, lifetime_earned = :lifetime, version = :next, tenant_id = :tenant, "
        "contact_id = :contact",
        condition="attribute_not_exists(pk) OR version = :version" if account.version == 0 else "version = :version",
        values=values,
        on_fail=ConcurrentUpdate("The account changed meanwhile."),
    )
    if prepare is not None:
        prepare(tx)
    publish_with(tx, account.tenant_id, *events)
    tx.commit()


def get_policy(tenant_id: str) -> PointsPolicy:
    item = dynamo.get_item(table(), {"pk": f"T#{tenant_id}#POLICY", "sk": "POLICY"}, consistent=False)
    return PointsPolicy.model_validate_json(item["policy"]) if item else PointsPolicy()


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


def get_checkin(tenant_id: str, contact_id: str) -> CheckinState:
    item = dynamo.get_item(table(), {"pk": account_pk(tenant_id, contact_id), "sk": "CHECKIN"})
    return CheckinState.model_validate(item) if item else CheckinState()


def save_checkin(tx: Transaction, tenant_id: str, contact_id: str, before: CheckinState, after: CheckinState) -> None:
    """The new streak, written only over the state it was computed from."""
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
        on_fail=ConcurrentUpdate("The check-in state changed meanwhile."),
    )


def list_entries(tenant_id: str, contact_id: str, limit: int, cursor: str | None) -> tuple[list[Entry], str | None]:
    page = dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=account_pk(tenant_id, contact_id),
        limit=limit,
        cursor=cursor,
        sort_prefix=("sk", "ENTRY#"),
        newest_first=True,
    )
    return [Entry.model_validate(item) for item in page.items], page.next_cursor
