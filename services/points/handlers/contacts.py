"""Consumer: contacts' events → which contacts exist here, and merged accounts."""

from __future__ import annotations

from services.points.logic import accounts, merge
from services.points.service import CONTACTS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.contacts import ContactCreated, ContactsMerged
from shared.events.envelope import Envelope


def on_created(event: Envelope[ContactCreated]) -> None:
    accounts.note_contact(event.metadata.tenant_id, event.data.contact_id, event.metadata.event_id)


def on_merged(event: Envelope[ContactsMerged]) -> None:
    data = event.data
    merge.merge(event.metadata.tenant_id, data.contact_id, data.merged_contact_id, data.also_merged)


handler = EventConsumer(
    name=CONTACTS_CONSUMER.name, handlers={"ContactCreated": on_created, "ContactsMerged": on_merged}
)
