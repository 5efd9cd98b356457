"""Tag groups and auto-tag rules: writers (admins, managers) change them, every staff role reads
them. Parse, call the logic, shape the answer."""

from __future__ import annotations

from services.contacts.handlers.resolver import api
from services.contacts.logic import tag_groups
from services.contacts.rule_models import TagGroup, TagGroupList, TagGroupWrite, TagRule, TagRuleList, TagRuleWrite
from shared.params import Id


@api.route("POST /v1/tag-groups", status=201)
def create_tag_group(body: TagGroupWrite) -> TagGroup:
    """Add a tag group (兴趣, 肤质, 会员等级…); 409 when one of its tags is another group's."""
    return tag_groups.create_group(api.staff().tenant_id, body)


@api.route("GET /v1/tag-groups")
def list_tag_groups() -> TagGroupList:
    """Every tag group of the tenant, oldest first (at most 100)."""
    return TagGroupList(items=tag_groups.groups(api.staff().tenant_id))


@api.route("GET /v1/tag-groups/{group_id}")
def get_tag_group(group_id: Id) -> TagGroup:
    """One tag group."""
    return tag_groups.group(api.staff().tenant_id, group_id)


@api.route("PUT /v1/tag-groups/{group_id}")
def replace_tag_group(group_id: Id, body: TagGroupWrite) -> TagGroup:
    """Replace a tag group: tags it gains are claimed (409 when another group has one), tags it
    loses become free tags. Contacts keep their tags."""
    return tag_groups.replace_group(api.staff().tenant_id, group_id, body)


@api.route("DELETE /v1/tag-groups/{group_id}", status=204)
def delete_tag_group(group_id: Id) -> None:
    """Remove a tag group: its tags become free tags; contacts keep them."""
    tag_groups.delete_group(api.staff().tenant_id, group_id)


@api.route("POST /v1/tag-rules", status=201)
def create_tag_rule(body: TagRuleWrite) -> TagRule:
    """Add an auto-tag rule: a fact of type ``on`` meeting every condition of ``when`` tags its contact."""
    return tag_groups.create_rule(api.staff().tenant_id, body)


@api.route("GET /v1/tag-rules")
def list_tag_rules() -> TagRuleList:
    """Every auto-tag rule of the tenant, oldest first (at most 100)."""
    return TagRuleList(items=tag_groups.rules(api.staff().tenant_id))


@api.route("GET /v1/tag-rules/{rule_id}")
def get_tag_rule(rule_id: Id) -> TagRule:
    """One auto-tag rule."""
    return tag_groups.rule(api.staff().tenant_id, rule_id)


@api.route("PUT /v1/tag-rules/{rule_id}")
def replace_tag_rule(rule_id: Id, body: TagRuleWrite) -> TagRule:
    """Replace an auto-tag rule; it applies to facts from then on (tags already set stay)."""
    return tag_groups.replace_rule(api.staff().tenant_id, rule_id, body)


@api.route("DELETE /v1/tag-rules/{rule_id}", status=204)
def delete_tag_rule(rule_id: Id) -> None:
    """Remove an auto-tag rule (tags it set stay)."""
    tag_groups.delete_rule(api.staff().tenant_id, rule_id)
