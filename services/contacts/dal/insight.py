"""The contacts table's insight items and the tenant's lifecycle rules.

Item layout (pk / sk):
- insight  T#{tenant}#C#{id} / INSIGHT   facts, stage, RFM (``Insight``), version-guarded; while a
  time-driven check is due it carries ``gsi1pk = DUE#{shard}`` / ``gsi1sk = {due_at}#{tenant}#{id}``:
  the sweep's sparse index (only insights with a next check are in it)
- contribution T#{tenant}#C#{id} / SCORE#{occurred_at}#{event id}#{rule}   points one fact earned
  under one lead scoring rule (written with the fact: once), newest first for GET …/score
- rules    T#{tenant}#SETTINGS / LIFECYCLE      the tenant's lifecycle rules (absent: the defaults)
- scoring  T#{tenant}#SETTINGS / LEAD_SCORING   the tenant's lead scoring (absent: no rules)
A fact reads both settings with one query of the tenant's settings partition.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from services.contacts.dal.contacts import GSI, INSIGHT_SK, contact_pk, copy_items, table
from services.contacts.models import Insight, LifecycleRules, Rfm
from services.contacts.score_models import LeadScoring
from shared import dynamo
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.outbox import publish_with

DUE_SHARDS = 8
SCORE_PREFIX = "SCORE#"


def transaction() -> Transaction:
    return Transaction(table())


def insight_key(tenant_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": INSIGHT_SK}


def _item(insight: Insight) -> dict[str, Any]:
    item = {**insight_key(insight.tenant_id, insight.contact_id), "kind": "insight"}
    item.update(insight.model_dump(mode="json", exclude_none=True))
    if insight.due_at is not None:
        shard = dynamo.shard_of(insight.contact_id, DUE_SHARDS)
        item |= {"gsi1pk": f"DUE#{shard}", "gsi1sk": f"{insight.due_at}#{insight.tenant_id}#{insight.contact_id}"}
    return item


def get(tenant_id: str, contact_id: str) -> Insight | None:
    item = dynamo.get_item(table(), insight_key(tenant_id, contact_id))
    return Insight.model_validate(item) if item else None


def get_many(tenant_id: str, contact_ids: list[str]) -> dict[str, Insight]:
    """The stored insights among ``contact_ids``, by contact id."""
    keys = [insight_key(tenant_id, contact_id) for contact_id in dict.fromkeys(contact_ids)]
    insights = (Insight.model_validate(item) for item in dynamo.batch_get(table(), keys))
    return {insight.contact_id: insight for insight in insights}


def write(
    tx: Transaction,
    before: Insight,
    after: Insight,
    events: list[BaseModel],
    contributions: list[dict[str, Any]] | None = None,
) -> None:
    """Within a transaction: the insight as changed from ``before`` (version 0: new), its events
    and the score contributions of the fact. Nothing changed: only checked, so what was read
    still holds at the commit."""
    key = insight_key(before.tenant_id, before.contact_id)
    stale = ConcurrentUpdate("The contact's insight changed meanwhile; read it again.")
    if after == before:
        condition = "attribute_not_exists(pk)" if before.version == 0 else "version = :v"
        values = None if before.version == 0 else {":v": before.version}
        tx.check(key, condition, values=values, on_fail=stale)
    else:
        item = _item(after.model_copy(update={"version": before.version + 1}))
        if before.version == 0:
            tx.create(item, on_fail=stale)
        else:
            tx.put(item, condition="version = :v", values={":v": before.version}, on_fail=stale)
    for contribution in contributions or []:
        sk = f"{SCORE_PREFIX}{contribution['occurred_at']}#{contribution['event_id']}#{contribution['rule_id']}"
        tx.put({"pk": key["pk"], "sk": sk, "kind": "score", **contribution})
    if events:
        publish_with(tx, before.tenant_id, *events)


def contributions_page(tenant_id: str, contact_id: str, limit: int, cursor: str | None) -> dynamo.Page:
    """A page of the contact's score contributions, newest first."""
    return dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=contact_pk(tenant_id, contact_id),
        limit=limit,
        cursor=cursor,
        sort_prefix=("sk", SCORE_PREFIX),
        newest_first=True,
    )


def copy_contributions(tenant_id: str, alias_id: str, survivor_id: str) -> None:
    """Every contribution of a merged contact, copied under the survivor (same sort keys)."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": dynamo.serialize({":p": contact_pk(tenant_id, alias_id), ":s": SCORE_PREFIX}),
        "ConsistentRead": True,
    }
    copy_items(tenant_id, survivor_id, list(dynamo.query_pages(request)))


def due(until: str) -> Iterator[Insight]:
    """Every insight whose next check is due by ``until``, across tenants, as the index holds it
    (an eventually consistent copy: a write conditioned on its version finds out if it is stale)."""
    for shard in range(DUE_SHARDS):
        for item in dynamo.due_by(table(), GSI, f"DUE#{shard}", until, None):
            yield Insight.model_validate(item)


# The tenant's settings -------------------------------------------------------------------------
def _settings_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#SETTINGS"


Settings = tuple[LifecycleRules, LeadScoring]


def settings(tenant_id: str) -> Settings:
    """The tenant's lifecycle rules and lead scoring (the defaults where unset): one query."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": dynamo.serialize({":p": _settings_pk(tenant_id)}),
        "ConsistentRead": True,
    }
    found = {item["sk"]: item.get("value", {}) for item in dynamo.query_pages(request)}
    return LifecycleRules.model_validate(found.get("LIFECYCLE", {})), LeadScoring.model_validate(
        found.get("LEAD_SCORING", {})
    )


def save_setting(tenant_id: str, name: str, value: BaseModel) -> None:
    item = {"pk": _settings_pk(tenant_id), "sk": name, "kind": "setting", "value": value.model_dump(mode="json")}
    Transaction(table()).put(item).commit()


# The nightly RFM batch ---------------------------------------------------------------------------
RFM_FIELDS = ("tenant_id", "contact_id", "last_order_at", "order_days", "rfm")


def scan_segment(segment: int, segments: int) -> Iterator[dict[str, Any]]:
    """One segment of a parallel scan of every insight, every tenant (the nightly batch only:
    never on a request path): the fields RFM needs."""
    names = {f"#a{number}": name for number, name in enumerate(RFM_FIELDS)}
    request: dict[str, Any] = {
        "TableName": table(),
        "Segment": segment,
        "TotalSegments": segments,
        "FilterExpression": "sk = :insight",
        "ExpressionAttributeValues": dynamo.serialize({":insight": INSIGHT_SK}),
        "ProjectionExpression": ", ".join(names),
        "ExpressionAttributeNames": names,
    }
    while True:
        answer = dynamo.client().scan(**request)
        for item in answer.get("Items", []):
            yield dynamo.deserialize(item)
        if "LastEvaluatedKey" not in answer:
            return
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


class InsightGone(Conflict):
    """The contact was erased since the batch read it."""


def set_rfm(tenant_id: str, contact_id: str, rfm: Rfm | None) -> None:
    """The batch's scores. The version moves on, so a fact's write that read the insight before
    fails and re-reads it (neither overwrites the other); ``InsightGone`` after an erasure."""
    tx = transaction()
    values: dict[str, Any] = {":one": 1}
    if rfm is None:
        expression = "REMOVE rfm SET version = version + :one"
    else:
        expression, values[":r"] = "SET rfm = :r, version = version + :one", rfm.model_dump(mode="json")
    tx.update(
        insight_key(tenant_id, contact_id),
        expression,
        values=values,
        condition="attribute_exists(pk)",
        on_fail=InsightGone("erased"),
    )
    tx.commit()
