"""Journeys' tag steps: outreach decides (``JourneyTagDecided``), contacts tags.

The tag is set on (or taken off) the contact the decision names, or the survivor it was merged
into; an erased or unknown contact is left alone. Setting goes through the one path every tag takes
(``contacts.add_tags``: a tag of a single-choice group replaces its siblings, ``ContactTagged`` /
``ContactUntagged`` are published with the write), so a journey's tag is what a staff member's
would be.

**Once per decision.** The consumer's marker is keyed by the decision's id (unique per enrollment
run and step), not by the event's, so the same decision delivered twice, or published again, is
applied once: the marker is written in the contact's own transaction, setting or taking off a
tag (or alone, when the contact already is as decided).

**A tag name contacts refuses** (longer than 64 characters, empty, or with ``#``, ``/`` or control
characters: ``models.Tag``) can never be applied: the event is dead-lettered at once with the
reason (``MalformedEvent``), where an operator sees it. Outreach should refuse such a name when the
journey is saved. A contact that holds the most tags it may (``MAX_TAGS``) is not tagged; the
decision counts as handled (a warning is logged), as auto-tagging does.
"""

from __future__ import annotations

from functools import cache

from pydantic import TypeAdapter, ValidationError

from services.contacts.dal import contacts as dal
from services.contacts.logic import contacts, merging
from services.contacts.models import Contact, Tag
from shared.clock import now_rfc3339
from shared.consumer import MalformedEvent, processed_marker
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate
from shared.events import contacts as events
from shared.events.outreach import JourneyTagDecided
from shared.observability import logger
from shared.retry import retry_on_race


@cache
def _tag_names() -> TypeAdapter[str]:
    return TypeAdapter(Tag)


def tag_name(decided: JourneyTagDecided) -> str:
    """The decision's tag as contacts names tags; ``MalformedEvent`` for a name it refuses."""
    try:
        return _tag_names().validate_python(decided.tag)
    except ValidationError as error:
        reason = error.errors()[0]["msg"]
        raise MalformedEvent(f"JourneyTagDecided names a tag contacts refuses ({reason})") from None


def on_tag_decided(consumer: str, tenant_id: str, decided: JourneyTagDecided) -> bool:
    """Apply a journey's tag decision once; whether the contact changed."""
    name = tag_name(decided)

    def mark(tx: Transaction) -> None:
        processed_marker(tx, consumer, tenant_id, decided.decision_id)

    def attempt(_: int) -> bool:
        contact = merging.resolve(tenant_id, decided.contact_id)
        if contact is None or contact.erased:
            return False
        if decided.action == "remove":
            return _untag(contact, name, mark)
        try:
            after = contacts.add_tags(contact, [name], prepare=mark)
        except contacts.TooManyTags:
            logger.warning("journey tag skipped: the contact holds the most tags it may", extra={"tag": name})
            after = contact
        if after is contact:  # nothing written: the marker alone
            _mark_alone(mark)
        return after is not contact

    return retry_on_race(attempt, races=ConcurrentUpdate)


def _untag(contact: Contact, name: str, mark: Prepare) -> bool:
    if name not in contact.tags:
        _mark_alone(mark)
        return False
    updated = contact.model_copy(
        update={
            "tags": [t for t in contact.tags if t != name],
            "version": contact.version + 1,
            "updated_at": now_rfc3339(),
        }
    )
    untagged = events.ContactUntagged(contact_id=contact.contact_id, version=updated.version, tag=name)
    dal.save(contact, updated, [untagged], prepare=mark)
    return True


def _mark_alone(mark: Prepare) -> None:
    tx = Transaction(dal.table())
    mark(tx)
    tx.commit()
