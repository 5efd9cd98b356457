"""A tenant's tag groups and auto-tag rules, in the contacts table.

Item layout (pk / sk):
- set-up  T#{tenant}#TAGSETUP / GROUP#{group id}   a tag group
          T#{tenant}#TAGSETUP / RULE#{rule id}     an auto-tag rule
          T#{tenant}#TAGSETUP / COUNT              how many of each (the caps are kept by it)
  One partition: the groups (or the rules, or a fact type's rules) are one query of it.
- claim   T#{tenant}#TAGCLAIM#{tag} / CLAIM        the group the tag belongs to, created only if
  absent: what makes a tag belong to at most one group of a tenant. It carries the group's tags
  and single_choice, so a tag change reads what it needs of the group in one GetItem.
A group's item and its tags' claims are written in one transaction (created, moved, released).
"""

from __future__ import annotations

from typing import Any

from services.contacts.dal.contacts import table
from services.contacts.rule_models import MAX_GROUPS, MAX_RULES, TagClaim, TagGroup, TagRule
from shared import dynamo
from shared.dynamo import Filter, Transaction
from shared.errors import ConcurrentUpdate, Conflict, NotFound

GROUP_PREFIX = "GROUP#"
RULE_PREFIX = "RULE#"


class TagInAnotherGroup(Conflict):
    """A tag the group names is another group's (a tag belongs to at most one group)."""


class TooMany(Conflict):
    """The tenant has as many groups (or rules) as it may."""


def setup_partition(tenant_id: str) -> str:
    return f"T#{tenant_id}#TAGSETUP"


def _count_key(tenant_id: str) -> dict[str, str]:
    return {"pk": setup_partition(tenant_id), "sk": "COUNT"}


def claim_key(tenant_id: str, tag: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#TAGCLAIM#{tag}", "sk": "CLAIM"}


def _changed_meanwhile() -> ConcurrentUpdate:
    return ConcurrentUpdate("The tag group changed meanwhile; read it again and retry.")


def _count(tx: Transaction, tenant_id: str, what: str, step: int, most: int) -> None:
    """Within a transaction: one more (``step`` 1, refused past ``most``) or one fewer."""
    if step > 0:
        tx.update(
            _count_key(tenant_id),
            "ADD #n :one",
            condition="attribute_not_exists(#n) OR #n < :most",
            names={"#n": what},
            values={":one": 1, ":most": most},
            on_fail=TooMany(f"A tenant has at most {most} {what}.", reason=f"too_many_{what}"),
        )
    else:
        tx.update(_count_key(tenant_id), "ADD #n :one", names={"#n": what}, values={":one": -1})


# Groups -----------------------------------------------------------------------------------------
def _group_item(tenant_id: str, group: TagGroup) -> dict[str, Any]:
    return {
        "pk": setup_partition(tenant_id),
        "sk": f"{GROUP_PREFIX}{group.group_id}",
        "kind": "tag_group",
        **group.model_dump(mode="json"),
    }


def _claim_item(tenant_id: str, tag: str, group: TagGroup) -> dict[str, Any]:
    claim = TagClaim(
        tag=tag,
        group_id=group.group_id,
        single_choice=group.single_choice,
        tags=group.tags,
        group_version=group.version,
    )
    return {**claim_key(tenant_id, tag), "kind": "tag_claim", **claim.model_dump(mode="json")}


def _taken(tag: str, index: int) -> TagInAnotherGroup:
    return TagInAnotherGroup(
        f"The tag {tag!r} belongs to another group.",
        reason="tag_in_another_group",
        errors=[{"loc": ["body", "tags", str(index)], "msg": "the tag belongs to another group"}],
    )


def _write_claims(
    tx: Transaction, tenant_id: str, group_id: str, before: TagGroup | None, after: TagGroup | None
) -> None:
    """The claims of ``after``'s tags (new ones only if absent), and the release of those of
    ``before``'s tags it no longer has (only while they are still this group's)."""
    kept = set(before.tags) if before is not None else set()
    mine = {":g": group_id}
    if after is not None:
        for index, tag in enumerate(after.tags):
            if tag in kept:
                tx.put(
                    _claim_item(tenant_id, tag, after),
                    condition="group_id = :g",
                    values=mine,
                    on_fail=_changed_meanwhile(),
                )
            else:
                tx.create(_claim_item(tenant_id, tag, after), on_fail=_taken(tag, index))
    for tag in kept - set(after.tags if after is not None else ()):
        tx.delete(claim_key(tenant_id, tag), condition="group_id = :g", values=mine, on_fail=_changed_meanwhile())


def create_group(tenant_id: str, group: TagGroup) -> None:
    tx = Transaction(table())
    tx.create(_group_item(tenant_id, group), on_fail=Conflict("The group already exists."))
    _count(tx, tenant_id, "groups", 1, MAX_GROUPS)
    _write_claims(tx, tenant_id, group.group_id, None, group)
    tx.commit()


def replace_group(tenant_id: str, before: TagGroup, after: TagGroup) -> None:
    """The group as ``after``, if it is still as read: tags it gains are claimed, tags it loses
    released, the others' claims rewritten (single_choice and the siblings may have changed)."""
    tx = Transaction(table())
    tx.put(
        _group_item(tenant_id, after),
        condition="version = :v",
        values={":v": before.version},
        on_fail=_changed_meanwhile(),
    )
    _write_claims(tx, tenant_id, after.group_id, before, after)
    tx.commit()


def delete_group(tenant_id: str, group: TagGroup) -> None:
    """The group goes, and its tags are free again (contacts keep them)."""
    tx = Transaction(table())
    tx.delete(
        {"pk": setup_partition(tenant_id), "sk": f"{GROUP_PREFIX}{group.group_id}"},
        condition="version = :v",
        values={":v": group.version},
        on_fail=_changed_meanwhile(),
    )
    _count(tx, tenant_id, "groups", -1, MAX_GROUPS)
    _write_claims(tx, tenant_id, group.group_id, group, None)
    tx.commit()


def get_group(tenant_id: str, group_id: str) -> TagGroup | None:
    item = dynamo.get_item(table(), {"pk": setup_partition(tenant_id), "sk": f"{GROUP_PREFIX}{group_id}"})
    return TagGroup.model_validate(item) if item else None


def _query(tenant_id: str, prefix: str, found: Filter | None = None) -> list[dict[str, Any]]:
    """Every item of the set-up partition under ``prefix``, oldest first: one query (its pages)."""
    request: dict[str, Any] = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": {":p": setup_partition(tenant_id), ":s": prefix},
        "ConsistentRead": True,
    }
    if found is not None:
        request["FilterExpression"] = found.expression
        request["ExpressionAttributeNames"] = dict(found.names)
        request["ExpressionAttributeValues"] |= found.values
    request["ExpressionAttributeValues"] = dynamo.serialize(request["ExpressionAttributeValues"])
    return list(dynamo.query_pages(request))


def groups(tenant_id: str) -> list[TagGroup]:
    return [TagGroup.model_validate(item) for item in _query(tenant_id, GROUP_PREFIX)]


def claim_of(tenant_id: str, tag: str) -> TagClaim | None:
    """The group a tag belongs to (None: a free tag): one GetItem."""
    item = dynamo.get_item(table(), claim_key(tenant_id, tag))
    return TagClaim.model_validate(item) if item else None


def check_claim(tx: Transaction, tenant_id: str, tag: str, claim: TagClaim | None) -> None:
    """Within a contact's tag change: the tag's group is still what the change was decided on."""
    key = claim_key(tenant_id, tag)
    again = ConcurrentUpdate("The tag's group changed meanwhile; try again.")
    if claim is None:
        tx.check(key, "attribute_not_exists(pk)", on_fail=again)
    else:
        tx.check(
            key,
            "group_id = :g AND group_version = :v",
            values={":g": claim.group_id, ":v": claim.group_version},
            on_fail=again,
        )


# Rules ------------------------------------------------------------------------------------------
def _rule_item(tenant_id: str, rule: TagRule) -> dict[str, Any]:
    return {
        "pk": setup_partition(tenant_id),
        "sk": f"{RULE_PREFIX}{rule.rule_id}",
        "kind": "tag_rule",
        **rule.model_dump(mode="json"),
    }


def create_rule(tenant_id: str, rule: TagRule) -> None:
    tx = Transaction(table())
    tx.create(_rule_item(tenant_id, rule), on_fail=Conflict("The rule already exists."))
    _count(tx, tenant_id, "rules", 1, MAX_RULES)
    tx.commit()


def replace_rule(tenant_id: str, before: TagRule, after: TagRule) -> None:
    Transaction(table()).put(
        _rule_item(tenant_id, after),
        condition="version = :v",
        values={":v": before.version},
        on_fail=ConcurrentUpdate("The rule changed meanwhile; read it again and retry."),
    ).commit()


def delete_rule(tenant_id: str, rule: TagRule) -> None:
    tx = Transaction(table())
    tx.delete(
        {"pk": setup_partition(tenant_id), "sk": f"{RULE_PREFIX}{rule.rule_id}"},
        condition="attribute_exists(pk)",
        on_fail=NotFound("No such rule."),
    )
    _count(tx, tenant_id, "rules", -1, MAX_RULES)
    tx.commit()


def get_rule(tenant_id: str, rule_id: str) -> TagRule | None:
    item = dynamo.get_item(table(), {"pk": setup_partition(tenant_id), "sk": f"{RULE_PREFIX}{rule_id}"})
    return TagRule.model_validate(item) if item else None


def rules(tenant_id: str) -> list[TagRule]:
    return [TagRule.model_validate(item) for item in _query(tenant_id, RULE_PREFIX)]


def enabled_rules_for(tenant_id: str, fact_type: str) -> list[TagRule]:
    """The tenant's enabled rules that follow ``fact_type``, oldest first: one query."""
    wanted = Filter("#on = :on AND enabled = :yes", {"#on": "on"}, {":on": fact_type, ":yes": True})
    return [TagRule.model_validate(item) for item in _query(tenant_id, RULE_PREFIX, wanted)]
