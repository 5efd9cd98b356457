"""Consumer: contacts' ScanAttributed → the campaign's conversion decision."""

from __future__ import annotations

from typing import Any

from services.campaigns.logic.attribution import on_scan_attributed
from services.campaigns.service import ATTRIBUTION_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_event(event: Envelope[Any]) -> None:
    on_scan_attributed(event.metadata.tenant_id, event.data)


handler = EventConsumer(name=ATTRIBUTION_CONSUMER.name, handlers={"ScanAttributed": on_event})
