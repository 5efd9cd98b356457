"""Auto-tagging: a tenant's rules tag a contact when a fact about it meets their conditions
(an order in category 母婴 → 母婴; a case rated 2 or less → 差评).

``on_fact`` is called for every delivery of every fact, new or repeated: it is idempotent because
a tag the contact holds already is neither written nor announced again (``contacts.add_tags``).
Rules are read on each call (one query of the tenant's set-up partition, only the enabled rules
of the fact's type come back): nothing is cached, so a rule changed applies to the next fact.
"""

from __future__ import annotations

from services.contacts.dal import tag_rules as dal
from services.contacts.logic import contacts, fact_rules, merging
from services.contacts.models import TimelineEntry
from services.contacts.rule_models import MAX_RULE_TAGS, NOT_TRIGGERS
from shared.errors import ConcurrentUpdate
from shared.observability import logger
from shared.retry import retry_on_race


def tags_for(tenant_id: str, entry: TimelineEntry) -> list[str]:
    """The tags the tenant's enabled rules for this fact's type give it, in rule order."""
    if entry.type in NOT_TRIGGERS:
        return []  # no rule follows them (rule_models.NOT_TRIGGERS): no query either
    wanted = [
        tag
        for rule in dal.enabled_rules_for(tenant_id, entry.type)
        if fact_rules.matches(entry, rule.when)
        for tag in rule.add_tags
    ]
    return list(dict.fromkeys(wanted))


def on_fact(tenant_id: str, contact_id: str, entry: TimelineEntry) -> None:
    """Apply the tenant's rules to one fact about a contact (its survivor, for a merged one):
    tag it as they say, once. An unknown or erased contact, or no rule met: nothing."""
    wanted = tags_for(tenant_id, entry)
    if not wanted:
        return
    if len(wanted) > MAX_RULE_TAGS:
        logger.warning("auto-tag rules give a fact too many tags; the first are set", extra={"count": len(wanted)})
        wanted = wanted[:MAX_RULE_TAGS]

    def attempt(_: int) -> None:
        contact = merging.resolve(tenant_id, contact_id)
        if contact is None or contact.erased:
            return
        try:
            contacts.add_tags(contact, wanted)
        except contacts.TooManyTags:
            logger.warning("auto-tagging skipped: the contact holds the most tags it may", extra={"tags": wanted})

    retry_on_race(attempt, races=ConcurrentUpdate)
