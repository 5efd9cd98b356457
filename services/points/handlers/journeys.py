"""Consumer: outreach's JourneyPointsGranted → a credit on the contact's account, once per grant."""

from __future__ import annotations

from services.points.logic import journeys
from services.points.service import JOURNEYS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope
from shared.events.outreach import JourneyPointsGranted


def on_granted(event: Envelope[JourneyPointsGranted]) -> None:
    journeys.on_granted(event.metadata.tenant_id, event.data)


handler = EventConsumer(name=JOURNEYS_CONSUMER.name, handlers={"JourneyPointsGranted": on_granted})
