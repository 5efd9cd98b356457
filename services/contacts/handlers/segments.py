"""Consumer: contact changes that are not timeline facts (a profile edit, an erasure) → the
contact's segments are evaluated again."""

from __future__ import annotations

from typing import Any

from services.contacts.logic import segments
from services.contacts.service import SEGMENTS_CONSUMER
from shared.consumer import EventConsumer, Handler, WithSource
from shared.events.envelope import Envelope


def on_contact_changed(event: Envelope[Any]) -> None:
    segments.reevaluate(event.metadata.tenant_id, event.data.contact_id)


HANDLERS: dict[str, Handler | WithSource] = {"ContactUpdated": on_contact_changed, "ContactErased": on_contact_changed}

handler = EventConsumer(name=SEGMENTS_CONSUMER.name, handlers=HANDLERS)
