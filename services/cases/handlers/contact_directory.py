"""Consumer: contacts' events → the cases service's contact directory."""

from __future__ import annotations

from typing import Any

from services.cases.dal import contact_directory as dal
from services.cases.logic.contact_directory import apply
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_contact_event(event: Envelope[Any]) -> None:
    contact_id = event.data.contact_id
    entry, revision = dal.get(event.metadata.tenant_id, contact_id)
    dal.save(apply(entry, event.data), revision, event.metadata.event_id)


handler = EventConsumer(
    name=dal.CONSUMER,
    handlers=dict.fromkeys(("ContactCreated", "ContactOwnerChanged", "ContactErased"), on_contact_event),
)
