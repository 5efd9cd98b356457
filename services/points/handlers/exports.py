"""Consumer ``points-exports``: contacts' ContactExportRequested → points' part of the bundle."""

from __future__ import annotations

from services.points.logic import exports
from services.points.service import EXPORTS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.contacts import ContactExportRequested
from shared.events.envelope import Envelope


def on_requested(event: Envelope[ContactExportRequested]) -> None:
    exports.write_part(event.metadata.tenant_id, event.data)


handler = EventConsumer(name=EXPORTS_CONSUMER.name, handlers={"ContactExportRequested": on_requested})
