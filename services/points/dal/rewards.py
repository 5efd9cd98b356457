"""The only code that touches the points table's rewards, redemptions and per-member counters.

Item layout (pk / sk):
- reward      T#{t}#REWARDS / REWARD#{reward_id}          catalog entry; stock and redeemed count
- redemption  T#{t}#REDEMPTION#{id} / REDEMPTION          gsi1: T#{t}#ACCOUNT#{contact}#REDEMPTIONS / id
                                                          gsi2: T#{t}#REDEMPTIONS#{status} / id (staff's list)
- limit       T#{t}#ACCOUNT#{contact} / LIMIT#{reward_id}  redemptions this member holds of a reward

Stock and the per-member count are changed by ``ADD`` under a condition, in the same transaction
as the points they cost: a redemption either takes all three or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from services.points.dal.ledger import account_pk, table
from services.points.reward_models import Redemption, Reward
from shared import dynamo
from shared.dynamo import Prepare, Transaction
from shared.errors import BadRequest, ConcurrentUpdate, Conflict
from shared.outbox import publish_with

NULLABLE = ("stock", "per_member_limit", "valid_from", "valid_until", "brand")
STAFF_INDEX = "gsi2"


def _reward_key(tenant_id: str, reward_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#REWARDS", "sk": f"REWARD#{reward_id}"}


def _redemption_key(tenant_id: str, redemption_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#REDEMPTION#{redemption_id}", "sk": "REDEMPTION"}


def _member_redemptions(tenant_id: str, contact_id: str) -> str:
    return f"{account_pk(tenant_id, contact_id)}#REDEMPTIONS"


def _tenant_redemptions(tenant_id: str, status: str | None = None) -> str:
    """The staff index's partition for one status; without one, the name a listing of several
    statuses binds its cursors to."""
    return f"T#{tenant_id}#REDEMPTIONS" + (f"#{status}" if status else "")


# ---- catalog -------------------------------------------------------------------------------


def create_reward(reward: Reward, prepare: Prepare) -> None:
    tx = Transaction(table())
    prepare(tx)
    tx.create({**_reward_key(reward.tenant_id, reward.reward_id), "kind": "reward", **reward.model_dump()})
    tx.commit()


def get_reward(tenant_id: str, reward_id: str) -> Reward | None:
    item = dynamo.get_item(table(), _reward_key(tenant_id, reward_id))
    return Reward.model_validate(item) if item else None


def list_rewards(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Reward], str | None]:
    page = dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=f"T#{tenant_id}#REWARDS",
        limit=limit,
        cursor=cursor,
        sort_prefix=("sk", "REWARD#"),
        newest_first=True,
    )
    return [Reward.model_validate(item) for item in page.items], page.next_cursor


def update_reward(before: Reward, changes: dict[str, Any]) -> None:
    """Set (or, for None, remove) the given fields over the version they were read at. Stock and
    the redeemed count move under redemptions without a version, so a patch leaves ``redeemed``
    alone and sets ``stock`` to the units an admin says are left."""
    names = {f"#{k}": k for k in changes} | {"#version": "version"}
    sets = [f"#{k} = :{k}" for k, v in changes.items() if v is not None] + ["#version = :next"]
    removes = [f"#{k}" for k, v in changes.items() if v is None]
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    values = {f":{k}": v for k, v in changes.items() if v is not None}
    values |= {":version": before.version, ":next": before.version + 1}
    Transaction(table()).update(
        _reward_key(before.tenant_id, before.reward_id),
        expression,
        condition="#version = :version",
        names=names,
        values=values,
        on_fail=ConcurrentUpdate("The reward changed meanwhile."),
    ).commit()


def take_one(tx: Transaction, reward: Reward) -> None:
    """One unit out of stock (if stock is counted) while the reward is active."""
    limited = reward.stock is not None
    tx.update(
        _reward_key(reward.tenant_id, reward.reward_id),
        "ADD redeemed :one" + (", stock :minus" if limited else ""),
        condition="active = :true" + (" AND stock >= :one" if limited else ""),
        values={":one": 1, ":true": True} | ({":minus": -1} if limited else {}),
        on_fail=Conflict("The reward is out of stock or no longer offered.", reason="out_of_stock"),
    )


def give_one_back(tx: Transaction, reward: Reward) -> None:
    """A cancelled redemption's unit back (into stock, if stock is counted)."""
    limited = reward.stock is not None
    tx.update(
        _reward_key(reward.tenant_id, reward.reward_id),
        "ADD redeemed :minus" + (", stock :one" if limited else ""),
        values={":minus": -1} | ({":one": 1} if limited else {}),
    )


def count_for_member(tx: Transaction, tenant_id: str, contact_id: str, reward: Reward) -> None:
    """The member's count of this reward goes up, never past the reward's per-member limit."""
    limit = reward.per_member_limit
    tx.update(
        {"pk": account_pk(tenant_id, contact_id), "sk": f"LIMIT#{reward.reward_id}"},
        "ADD redeemed :one SET kind = :kind",
        condition=None if limit is None else "attribute_not_exists(redeemed) OR redeemed < :limit",
        values={":one": 1, ":kind": "limit"} | ({} if limit is None else {":limit": limit}),
        on_fail=Conflict("You have redeemed this reward as often as allowed.", reason="limit_reached"),
    )


def uncount_for_member(tx: Transaction, tenant_id: str, contact_id: str, reward_id: str) -> None:
    tx.update(
        {"pk": account_pk(tenant_id, contact_id), "sk": f"LIMIT#{reward_id}"},
        "ADD redeemed :minus",
        condition="redeemed > :zero",
        values={":minus": -1, ":zero": 0},
    )


# ---- redemptions ---------------------------------------------------------------------------


def create_redemption(tx: Transaction, redemption: Redemption) -> None:
    tx.create(
        {
            **_redemption_key(redemption.tenant_id, redemption.redemption_id),
            "kind": "redemption",
            "gsi1pk": _member_redemptions(redemption.tenant_id, redemption.contact_id),
            "gsi1sk": redemption.redemption_id,
            "gsi2pk": _tenant_redemptions(redemption.tenant_id, redemption.status),
            "gsi2sk": redemption.redemption_id,
            **redemption.model_dump(),
        }
    )


def get_redemption(tenant_id: str, redemption_id: str) -> Redemption | None:
    item = dynamo.get_item(table(), _redemption_key(tenant_id, redemption_id))
    return Redemption.model_validate(item) if item else None


def list_redemptions(
    tenant_id: str, contact_id: str, limit: int, cursor: str | None
) -> tuple[list[Redemption], str | None]:
    page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=_member_redemptions(tenant_id, contact_id),
        limit=limit,
        cursor=cursor,
        index="gsi1",
        newest_first=True,
    )
    return [Redemption.model_validate(item) for item in page.items], page.next_cursor


def list_tenant_redemptions(
    tenant_id: str, statuses: Sequence[str], limit: int, cursor: str | None
) -> tuple[list[Redemption], str | None]:
    """The tenant's redemptions in any of ``statuses``, newest first: one Query of the staff index
    per status, merged by id (ids sort by time). The cursor is the last id answered, bound to the
    statuses listed; a page starts below it in every partition, so a redemption whose status
    changes between two pages is never answered twice."""
    listing = _tenant_redemptions(tenant_id, statuses[0] if len(statuses) == 1 else None)
    before = None
    if cursor:
        last = dynamo.decode_cursor(cursor, "gsi2pk", listing).get("gsi2sk")
        before = last.get("S") if isinstance(last, dict) else None
        if not isinstance(before, str) or not before:
            raise BadRequest("The cursor is not valid for this listing.")
    found: list[dict[str, Any]] = []
    more = False
    for status in statuses:
        values = {":p": _tenant_redemptions(tenant_id, status)} | ({":before": before} if before else {})
        answer = dynamo.client().query(
            TableName=table(),
            IndexName=STAFF_INDEX,
            KeyConditionExpression="gsi2pk = :p" + (" AND gsi2sk < :before" if before else ""),
            ExpressionAttributeValues=dynamo.serialize(values),
            ScanIndexForward=False,
            Limit=limit,
        )
        found += [dynamo.deserialize(item) for item in answer.get("Items", [])]
        more = more or "LastEvaluatedKey" in answer
    found.sort(key=lambda item: str(item["gsi2sk"]), reverse=True)
    page = found[:limit]
    more = more or len(found) > limit
    next_cursor = None
    if more and page:
        next_cursor = dynamo.encode_cursor({"gsi2pk": {"S": listing}, "gsi2sk": {"S": str(page[-1]["gsi2sk"])}})
    return [Redemption.model_validate(item) for item in page], next_cursor


def close_redemption(tx: Transaction, redemption: Redemption, status: str, actor: str, now: str) -> None:
    """Fulfilled or cancelled, only from requested: a second fulfil or cancel is refused. The
    redemption moves to its new status's partition of the staff index with it."""
    tx.update(
        _redemption_key(redemption.tenant_id, redemption.redemption_id),
        "SET #status = :status, updated_at = :now, updated_by = :actor, gsi2pk = :listed, gsi2sk = :id",
        condition="#status = :requested",
        names={"#status": "status"},
        values={
            ":status": status,
            ":now": now,
            ":actor": actor,
            ":requested": "requested",
            ":listed": _tenant_redemptions(redemption.tenant_id, status),
            ":id": redemption.redemption_id,
        },
        on_fail=Conflict(f"The redemption is no longer open (it was {redemption.status} or changed meanwhile)."),
    )


def fulfil(redemption: Redemption, actor: str, now: str, event: BaseModel) -> None:
    tx = Transaction(table())
    close_redemption(tx, redemption, "fulfilled", actor, now)
    publish_with(tx, redemption.tenant_id, event)
    tx.commit()
