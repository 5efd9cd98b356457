"""Consumer: campaigns' QrCodeScanned → first-touch attribution, owner, timeline, ScanAttributed."""

from __future__ import annotations

from typing import Any

from services.contacts.logic.attribution import on_scan
from services.contacts.service import SCANS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_event(event: Envelope[Any]) -> None:
    on_scan(event.metadata.tenant_id, event.data)


handler = EventConsumer(name=SCANS_CONSUMER.name, handlers={"QrCodeScanned": on_event})
