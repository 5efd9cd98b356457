"""Tag groups and auto-tag rules of a tenant: their rules of use (the routes admit writers only
to change them; every staff role reads them).

A tag belongs to at most one group of the tenant (its claim item, created only if absent, keeps
that). Tags in no group stay allowed ("free" tags): staff may set any tag on a contact, as before
groups existed. A single-choice group lets a contact hold one of its tags: setting one removes
the others in the same write (``contacts.add_tags``); a contact created with several keeps the
last named, and a merge keeps the survivor's (``one_per_group``, ``merging.combine``). Contacts
already holding several tags of a group when it is made (or made single-choice) keep them until
one of its tags is set again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from services.contacts.dal import tag_rules as dal
from services.contacts.logic import fact_rules
from services.contacts.rule_models import TagClaim, TagGroup, TagGroupWrite, TagRule, TagRuleWrite
from shared import ids
from shared.clock import now_rfc3339
from shared.dynamo import Transaction
from shared.errors import NotFound
from shared.retry import retry_on_race

# Single choice ------------------------------------------------------------------------------------
Exclusive = Mapping[str, frozenset[str]]  # a tag of a single-choice group → the group's other tags


def exclusive_tags(tenant_id: str) -> dict[str, frozenset[str]]:
    """Each tag of the tenant's single-choice groups → its siblings (one query of the groups)."""
    return {
        tag: frozenset(group.tags) - {tag}
        for group in dal.groups(tenant_id)
        if group.single_choice
        for tag in group.tags
    }


def one_per_group(names: Sequence[str], exclusive: Exclusive) -> list[str]:
    """``names`` in order, but of several tags of one single-choice group only the last named."""
    chosen: list[str] = []
    for name in names:
        siblings = exclusive.get(name, frozenset())
        chosen = [other for other in chosen if other not in siblings and other != name]
        chosen.append(name)
    return chosen


# Groups -----------------------------------------------------------------------------------------
def create_group(tenant_id: str, request: TagGroupWrite) -> TagGroup:
    now = now_rfc3339()
    group = TagGroup(group_id=ids.new_id("tg_"), created_at=now, updated_at=now, **request.model_dump())
    dal.create_group(tenant_id, group)
    return group


def group(tenant_id: str, group_id: str) -> TagGroup:
    found = dal.get_group(tenant_id, group_id)
    if found is None:
        raise NotFound("No such tag group.")
    return found


def groups(tenant_id: str) -> list[TagGroup]:
    return dal.groups(tenant_id)


def replace_group(tenant_id: str, group_id: str, request: TagGroupWrite) -> TagGroup:
    """The group as sent: tags it gains are claimed (409 if another group has one), tags it loses
    are released, in one transaction. A race with another writer reads again."""

    def attempt(_: int) -> TagGroup:
        before = group(tenant_id, group_id)
        after = before.model_copy(
            update={**request.model_dump(), "version": before.version + 1, "updated_at": now_rfc3339()}
        )
        if after.model_dump(exclude={"version", "updated_at"}) == before.model_dump(exclude={"version", "updated_at"}):
            return before
        dal.replace_group(tenant_id, before, after)
        return after

    return retry_on_race(attempt)


def delete_group(tenant_id: str, group_id: str) -> None:
    """The group and its claims go; its tags become free tags (contacts keep them)."""

    def attempt(_: int) -> None:
        dal.delete_group(tenant_id, group(tenant_id, group_id))

    retry_on_race(attempt)


def claim_of(tenant_id: str, tag: str) -> TagClaim | None:
    """The group a tag belongs to, or None for a free tag (one read)."""
    return dal.claim_of(tenant_id, tag)


def claims_unchanged(tx: Transaction, tenant_id: str, claims: Mapping[str, TagClaim | None]) -> None:
    """Within a contact's tag change: each tag's group is still what the change was decided on."""
    for tag, claim in claims.items():
        dal.check_claim(tx, tenant_id, tag, claim)


# Rules ------------------------------------------------------------------------------------------
WHEN_LOC = ("body", "when")


def create_rule(tenant_id: str, request: TagRuleWrite) -> TagRule:
    fact_rules.check(request.on, request.when, WHEN_LOC)
    now = now_rfc3339()
    rule = TagRule(rule_id=ids.new_id("tr_"), created_at=now, updated_at=now, **request.model_dump())
    dal.create_rule(tenant_id, rule)
    return rule


def rule(tenant_id: str, rule_id: str) -> TagRule:
    found = dal.get_rule(tenant_id, rule_id)
    if found is None:
        raise NotFound("No such tag rule.")
    return found


def rules(tenant_id: str) -> list[TagRule]:
    return dal.rules(tenant_id)


def replace_rule(tenant_id: str, rule_id: str, request: TagRuleWrite) -> TagRule:
    """The rule as sent (a race with another writer reads again: the last one wins)."""
    fact_rules.check(request.on, request.when, WHEN_LOC)

    def attempt(_: int) -> TagRule:
        before = rule(tenant_id, rule_id)
        after = TagRule(
            rule_id=rule_id,
            created_at=before.created_at,
            updated_at=now_rfc3339(),
            version=before.version + 1,
            **request.model_dump(),
        )
        dal.replace_rule(tenant_id, before, after)
        return after

    return retry_on_race(attempt)


def delete_rule(tenant_id: str, rule_id: str) -> None:
    dal.delete_rule(tenant_id, rule(tenant_id, rule_id))
