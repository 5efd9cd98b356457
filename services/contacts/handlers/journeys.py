"""Consumer: outreach's JourneyTagDecided → the tag set on or taken off the contact, once."""

from __future__ import annotations

from services.contacts.logic import journeys
from services.contacts.service import JOURNEYS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope
from shared.events.outreach import JourneyTagDecided


def on_tag_decided(event: Envelope[JourneyTagDecided]) -> None:
    journeys.on_tag_decided(JOURNEYS_CONSUMER.name, event.metadata.tenant_id, event.data)


handler = EventConsumer(name=JOURNEYS_CONSUMER.name, handlers={"JourneyTagDecided": on_tag_decided})
