"""Consumer: campaigns' CampaignConversionRecorded → a credit on the contact's account."""

from __future__ import annotations

from typing import Any

from services.points.logic.ledger import on_conversion
from services.points.service import CONVERSIONS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_event(event: Envelope[Any]) -> None:
    on_conversion(event.metadata.tenant_id, event.data)


handler = EventConsumer(name=CONVERSIONS_CONSUMER.name, handlers={"CampaignConversionRecorded": on_event})
