"""Consumer: contacts' events → the cases service's contact directory."""

from __future__ import annotations

from typing import Any

from services.cases.logic import contact_directory
from services.cases.service import CONTACT_DIRECTORY_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_contact_event(event: Envelope[Any]) -> None:
    contact_directory.record(event.metadata.tenant_id, event.data, event.metadata.event_id)


handler = EventConsumer(
    name=CONTACT_DIRECTORY_CONSUMER.name,
    handlers=dict.fromkeys(("ContactCreated", "ContactOwnerChanged", "ContactErased"), on_contact_event),
)
