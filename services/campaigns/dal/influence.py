"""The campaigns table's influence network items (微网): who brought whom, to depth 3.

Item layout (pk / sk), every key prefixed by the tenant:
- node        T#{t}#CONTACT#{c} / NODE          the contact's inviter and ``ancestors`` (inviter,
  its inviter, and that one's: at most 3), written once, when the contact first qualifies
- influence   T#{t}#CONTACT#{c} / INFLUENCE     ``inviter_id``, ``direct``, ``downstream`` (depth 1-3) and
  ``gmv_fen`` (downstream order value), only ever ADDed; once flagged, ``koc_at`` and gsi1
  T#{t}#KOC / {koc_at}#{c}
- downstream  T#{t}#DOWNSTREAM#{ancestor} / {joined_at}#{contact}   one per contact within 3 of
  the ancestor, with its ``depth`` and ``inviter_id``: the network below a contact is one Query,
  and the contacts it brought within a window a Query of that window
- spent       T#{t}#CONTACT#{c} / SPENT         an invitee's order value so far (``amount_fen``)
- order       T#{t}#CONTACT#{c} / ORDER#{partner}#{order_id}   each order counted once, and
  T#{t}#ORDER#{partner}#{order_id} / ORDER naming its buyer (a refund names only the order)
- refund      T#{t}#ORDER#{partner}#{order_id} / REFUND   a refund met before the order was counted
- rule        T#{t}#KOC / RULE                  the tenant's weights and KOC rule

Orders and the node race: an order of a contact without a node adds to its ``spent`` on the
condition that there is still no node; the node is written on the condition that ``spent`` is what
was read, and carries it to the ancestors. Whichever loses reads again, so no order is counted
twice or lost.
"""

from __future__ import annotations

from typing import Any

from services.campaigns.dal.campaigns import GSI, contact_pk, table
from services.campaigns.models import KocRule
from shared import dynamo
from shared.consumer import AlreadyProcessed
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate
from shared.events.campaigns import KocIdentified
from shared.outbox import publish_with


class NodeMoved(ConcurrentUpdate):
    """The contact's node or spent total changed since it was read."""


def _node_key(tenant_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": "NODE"}


def _influence_key(tenant_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": "INFLUENCE"}


def _spent_key(tenant_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": "SPENT"}


def downstream_partition(tenant_id: str, ancestor_id: str) -> str:
    return f"T#{tenant_id}#DOWNSTREAM#{ancestor_id}"


def koc_partition(tenant_id: str) -> str:
    return f"T#{tenant_id}#KOC"


def node_and_spent(tenant_id: str, contact_id: str, inviter_id: str) -> tuple[dict[str, Any] | None, int]:
    """The inviter's node (None: the inviter was invited by no one) and the contact's order value
    so far, in one request."""
    keys = [_node_key(tenant_id, inviter_id), _spent_key(tenant_id, contact_id)]
    found = {item["sk"]: item for item in dynamo.batch_get(table(), keys)}
    return found.get("NODE"), int(found.get("SPENT", {}).get("amount_fen", 0))


def ancestors_of(tenant_id: str, contact_id: str) -> list[str] | None:
    """The contact's inviter, its inviter… (at most 3); None when no invitation brought it."""
    item = dynamo.get_item(table(), _node_key(tenant_id, contact_id))
    return list(item["ancestors"]) if item else None


def add_node(
    tenant_id: str, contact_id: str, ancestors: list[str], campaign_id: str, joined_at: str, spent_fen: int
) -> None:
    """The contact joins the network under ``ancestors[0]``: its node, each ancestor's counters and
    downstream entry, and its order value so far carried up, in one transaction. Raises
    ``AlreadyProcessed`` when the node exists, ``NodeMoved`` when an order came since ``spent_fen``."""
    tx = Transaction(table())
    tx.create(
        {
            **_node_key(tenant_id, contact_id),
            "kind": "node",
            "contact_id": contact_id,
            "inviter_id": ancestors[0],
            "ancestors": ancestors,
            "campaign_id": campaign_id,
            "joined_at": joined_at,
        },
        on_fail=AlreadyProcessed(f"{contact_id} is in the network already"),
    )
    tx.check(
        _spent_key(tenant_id, contact_id),
        "attribute_not_exists(pk)" if spent_fen == 0 else "amount_fen = :spent",
        values=None if spent_fen == 0 else {":spent": spent_fen},
        on_fail=NodeMoved("an order of the contact came since its spending was read"),
    )
    tx.update(  # its own counters' row names its inviter (so a KOC list row needs no other read)
        _influence_key(tenant_id, contact_id),
        "SET contact_id = :contact, inviter_id = :inviter",
        values={":contact": contact_id, ":inviter": ancestors[0]},
    )
    for depth, ancestor in enumerate(ancestors, start=1):
        counters = {"direct": int(depth == 1), "downstream": 1, "gmv_fen": spent_fen}
        _add(tx, tenant_id, ancestor, counters)
        tx.put(
            {
                "pk": downstream_partition(tenant_id, ancestor),
                "sk": f"{joined_at}#{contact_id}",
                "kind": "downstream",
                "contact_id": contact_id,
                "inviter_id": ancestors[0],
                "campaign_id": campaign_id,
                "depth": depth,
                "joined_at": joined_at,
            }
        )
    tx.commit()


def _add(tx: Transaction, tenant_id: str, contact_id: str, counters: dict[str, int]) -> None:
    counters = {name: value for name, value in counters.items() if value}
    tx.update(
        _influence_key(tenant_id, contact_id),
        "SET contact_id = :contact ADD " + ", ".join(f"#{name} :{name}" for name in counters),
        names={f"#{name}": name for name in counters},
        values={":contact": contact_id} | {f":{name}": value for name, value in counters.items()},
    )


def add_order(
    tenant_id: str, contact_id: str, partner: str, order_id: str, amount_fen: int, ancestors: list[str] | None
) -> None:
    """Count an invitee's order once: in its spent total and, once it has a node, in its ancestors'
    downstream order value. ``ancestors`` as read (None: no node yet, and the write requires that
    still). Raises ``AlreadyProcessed`` for an order counted already, ``NodeMoved`` when the node
    came since it was read."""
    tx = Transaction(table())
    tx.create(
        {"pk": contact_pk(tenant_id, contact_id), "sk": f"ORDER#{partner}#{order_id}", "amount_fen": amount_fen},
        on_fail=AlreadyProcessed(f"order {order_id} was counted already"),
    )
    tx.put({**_order_key(tenant_id, partner, order_id), "contact_id": contact_id})  # a refund names the order only
    tx.update(_spent_key(tenant_id, contact_id), "ADD amount_fen :amount", values={":amount": amount_fen})
    if ancestors is None:
        tx.check(
            _node_key(tenant_id, contact_id),
            "attribute_not_exists(pk)",
            on_fail=NodeMoved("the contact joined the network since it was read"),
        )
    else:
        for ancestor in ancestors:
            _add(tx, tenant_id, ancestor, {"gmv_fen": amount_fen})
    tx.commit()


def _order_key(tenant_id: str, partner: str, order_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#ORDER#{partner}#{order_id}", "sk": "ORDER"}


def remember_refund(tenant_id: str, partner: str, order_id: str, refunded_at: str) -> None:
    """Keep a refund whose order the network has not counted (yet): the order, counted later,
    finds it (``refund_of``)."""
    item = {**_order_key(tenant_id, partner, order_id), "sk": "REFUND", "refunded_at": refunded_at}
    dynamo.client().put_item(TableName=table(), Item=dynamo.serialize(item))


def refund_of(tenant_id: str, partner: str, order_id: str) -> str | None:
    """When a refund of the order was met before the order was counted."""
    item = dynamo.get_item(table(), {**_order_key(tenant_id, partner, order_id), "sk": "REFUND"})
    return str(item["refunded_at"]) if item else None


def buyer_of(tenant_id: str, partner: str, order_id: str) -> str | None:
    """The invitee who placed the order, when the network counted it."""
    item = dynamo.get_item(table(), _order_key(tenant_id, partner, order_id))
    return str(item["contact_id"]) if item else None


def influence_rows(tenant_id: str, contact_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The influence counters of each contact that has any, by contact."""
    found = dynamo.batch_get(table(), [_influence_key(tenant_id, c) for c in contact_ids])
    return {str(item["contact_id"]): item for item in found}


def joined_since(tenant_id: str, ancestor_id: str, since: str, enough: int) -> int:
    """How many contacts joined below the ancestor (depth ≤ 3) since ``since``, counted up to
    ``enough`` (a rule needs to know only whether it is reached): one Query."""
    answer = dynamo.client().query(
        TableName=table(),
        KeyConditionExpression="pk = :p AND sk >= :since",
        ExpressionAttributeValues=dynamo.serialize(
            {":p": downstream_partition(tenant_id, ancestor_id), ":since": since}
        ),
        Select="COUNT",
        Limit=enough,
    )
    return int(answer["Count"])


def flag_koc(tenant_id: str, contact_id: str, at: str, event: KocIdentified) -> bool:
    """Flag the contact a KOC and publish ``KocIdentified``, once: False when it was flagged already."""
    tx = Transaction(table())
    tx.update(
        _influence_key(tenant_id, contact_id),
        "SET koc_at = :at, gsi1pk = :koc, gsi1sk = :listed",
        condition="attribute_exists(pk) AND attribute_not_exists(koc_at)",
        values={":at": at, ":koc": koc_partition(tenant_id), ":listed": f"{at}#{contact_id}"},
        on_fail=AlreadyProcessed("flagged already"),
    )
    publish_with(tx, tenant_id, event)
    try:
        tx.commit()
    except AlreadyProcessed:
        return False
    return True


def downstream(tenant_id: str, contact_id: str, most: int) -> tuple[list[dict[str, Any]], bool]:
    """The contacts within 3 below the contact, oldest first, at most ``most``: whether more exist."""
    page = dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=downstream_partition(tenant_id, contact_id),
        limit=most,
        cursor=None,
    )
    return page.items, page.next_cursor is not None


def koc_page(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """The tenant's KOCs, the latest flagged first."""
    page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=koc_partition(tenant_id),
        limit=limit,
        cursor=cursor,
        index=GSI,
        newest_first=True,
    )
    return page.items, page.next_cursor


def _rule_key(tenant_id: str) -> dict[str, str]:
    return {"pk": koc_partition(tenant_id), "sk": "RULE"}


def get_rule(tenant_id: str) -> KocRule:
    item = dynamo.get_item(table(), _rule_key(tenant_id), consistent=False)
    return KocRule.model_validate_json(item["rule"]) if item else KocRule()


def put_rule(tenant_id: str, rule: KocRule) -> None:
    dynamo.client().put_item(
        TableName=table(), Item=dynamo.serialize({**_rule_key(tenant_id), "rule": rule.model_dump_json()})
    )
