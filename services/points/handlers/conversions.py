"""Consumer: campaigns' CampaignConversionRecorded → a credit on the contact's account."""

from __future__ import annotations

from typing import Any

from services.points.logic.ledger import on_conversion
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_event(event: Envelope[Any]) -> None:
    on_conversion(event.metadata.tenant_id, event.data)


handler = EventConsumer(name="points-conversions", handlers={"CampaignConversionRecorded": on_event})
