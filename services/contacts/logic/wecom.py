"""WeCom customers (the wecom service's ``WeComContactAdded`` and ``WeComContactRemoved``): which
contact each is, who owns it, its timeline and its lifecycle.

**Who.** A WeCom customer is named by an external_userid per corp (the identity kind
``external_userid:<corp_id>``, like ``openid:<app_id>``) and, when WeCom knows it, a unionid. The
contact holding either is the customer; one person added by staff of two sub-brand corps (two
external_userids, one unionid) is one contact. Found and completed through the same upsert as
staff creation, login and channel senders (``merging.upsert``), which also merges two contacts
holding one identity each when it is safe. Unlike a channel sender, an add **creates** the contact
when nobody holds the identities (the customer chose to become a staff member's friend), named
with the WeCom name; so does a removal of a customer nobody holds yet (a customer friended before
Siyu was connected, or a removal overtaking its add on the bus): it must be remembered, or the
add arriving later would turn the friendship back on. When the identities belong to contacts that
cannot be joined safely, the external_userid alone decides (the unionid is left where it is).

**Owner.** The staff member who added the customer becomes its tenant-wide owner (brand ``*``) when
it has none; an existing tenant-wide owner is kept. A half add (the customer added the staff
member, who has not accepted yet) sets none.

**Once.** Every change of one add or removal is one transaction with the consumer's processed
marker and a marker (and timeline entry id) that comes from the relationship alone — (corp, staff,
external_userid, generation) and whether it is an add, a half add or a removal: a redelivered
event finds its marker, the same step published again as a new event (even with another time)
finds the step's, and either writes nothing (no second contact, owner change, timeline entry or
``WeComCustomerIdentified``).

**Lifecycle.** The entry's insight change (``insight.with_wecom``) keeps which friendships are on
(order-safe by generation) and churns the contact when a customer's removal (流失) leaves none on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from pydantic import BaseModel

from services.contacts.dal import contacts as dal
from services.contacts.dal import insight as insight_dal
from services.contacts.logic import insight, merging
from services.contacts.logic.contacts import new_contact
from services.contacts.logic.timeline import follow_fact
from services.contacts.models import CORP_KIND, TENANT_WIDE, Contact, Identities, TimelineEntry
from shared.clock import rfc3339
from shared.consumer import AlreadyProcessed, processed_marker
from shared.dynamo import Prepare, Transaction
from shared.events.contacts import WeComCustomerIdentified, WeComCustomerRemoved
from shared.events.wecom import WeComContactAdded, WeComContactRemoved, WeComRelationshipRef
from shared.observability import logger

SOURCE = "siyu.wecom"
STEP_MARKER = "contacts-wecom-steps"
"""The once-only marker's scope: one per step of a friendship (``relationship_key``), tenant-wide
(not under the contact, not keyed by time), so a step is applied once whatever event carries it,
whenever it says it happened and whichever contact the customer resolves to by then."""


def relationship_key(ref: WeComRelationshipRef, step: str) -> str:
    """The id of one step (add, half, removed) of one friendship generation: the same however
    often and under whatever event id it is delivered. Campaigns keys its scan the same way."""
    text = "\n".join((ref.corp_id, ref.staff_id, ref.external_userid, str(ref.generation), step))
    return f"wc_{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def added_entry(added: WeComContactAdded) -> TimelineEntry:
    summary = {
        "corp_id": added.corp_id,
        "staff_id": added.staff_id,
        "generation": added.generation,
        "state": added.state,
        "add_way": added.add_way,
        "half": added.half,
    }
    return TimelineEntry(
        event_id=relationship_key(added, "half" if added.half else "add"),
        type="WeComContactAdded",
        occurred_at=rfc3339(added.added_at),
        source=SOURCE,
        summary=summary,
    )


def removed_entry(removed: WeComContactRemoved) -> TimelineEntry:
    summary = {
        "corp_id": removed.corp_id,
        "staff_id": removed.staff_id,
        "generation": removed.generation,
        "removed_by": removed.removed_by,
    }
    return TimelineEntry(
        event_id=relationship_key(removed, "removed"),
        type="WeComContactRemoved",
        occurred_at=rfc3339(removed.removed_at),
        source=SOURCE,
        summary=summary,
    )


def on_added(consumer: str, tenant_id: str, event_id: str, added: WeComContactAdded) -> str | None:
    """The contact the customer is (created if nobody holds the identities), owned by the adding
    staff member if it had no tenant-wide owner, with the add on its timeline and insight and
    ``WeComCustomerIdentified`` published, all once. None when the add was handled already."""
    owners = {} if added.half else {TENANT_WIDE: added.staff_id}

    def identified(contact: Contact, incoming: Contact) -> list[BaseModel]:
        return [WeComCustomerIdentified(contact_id=contact.contact_id, created=contact is incoming, added=added)]

    return _apply(
        consumer,
        tenant_id,
        event_id,
        added,
        added_entry(added),
        added.unionid,
        identified,
        name=added.name,
        owners=owners,
    )


def on_removed(consumer: str, tenant_id: str, event_id: str, removed: WeComContactRemoved) -> str | None:
    """The removal on the customer's timeline and insight (which may churn it), and
    ``WeComCustomerRemoved`` published, once."""

    def answered(contact: Contact, incoming: Contact) -> list[BaseModel]:
        return [WeComCustomerRemoved(contact_id=contact.contact_id, removed=removed)]

    return _apply(consumer, tenant_id, event_id, removed, removed_entry(removed), None, answered)


def _apply(
    consumer: str,
    tenant_id: str,
    event_id: str,
    ref: WeComRelationshipRef,
    entry: TimelineEntry,
    unionid: str | None,
    announce: Callable[[Contact, Contact], list[BaseModel]],
    **fields: object,
) -> str | None:
    settings = insight_dal.settings(tenant_id)
    identities = Identities(unionid=unionid, external_userids={ref.corp_id: ref.external_userid})

    def attempt(identities: Identities) -> Contact:
        incoming = new_contact(tenant_id, identities=identities, **fields)

        def prepare(contact: Contact) -> Prepare:
            counted = insight.on_fact(tenant_id, contact.contact_id, entry, settings)

            def write(tx: Transaction) -> None:
                processed_marker(tx, consumer, tenant_id, event_id)
                processed_marker(tx, STEP_MARKER, tenant_id, entry.event_id)
                dal.add_timeline_entry(tx, tenant_id, contact.contact_id, entry)
                counted(tx)

            return write

        contact, _ = merging.upsert(
            tenant_id,
            incoming,
            actor=merging.SYSTEM,
            announce=lambda contact: announce(contact, incoming),
            prepare=prepare,
        )
        return contact

    try:
        try:
            contact = attempt(identities)
        except merging.IdentityConflict:
            logger.info("WeCom customer's unionid held by another contact: the external_userid decides")
            contact = attempt(identities.model_copy(update={"unionid": None}))
    except AlreadyProcessed:
        # Handled already (this event, or the same step under another event id). The delivery that
        # wrote it may have failed before what follows (idempotent), so it runs again.
        holder = dal.find_by_identity(tenant_id, f"{CORP_KIND}{ref.corp_id}", ref.external_userid)
        if holder is not None:
            follow_fact(tenant_id, holder, entry, settings)
        raise
    follow_fact(tenant_id, contact.contact_id, entry, settings, contact.contact_id)
    return contact.contact_id
