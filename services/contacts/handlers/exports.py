"""Consumer ``contacts-exports``: PIPL exports (logic/contact_export.py): contacts' own part on
ContactExportRequested, and every service's reported part, until the bundle is assembled."""

from __future__ import annotations

from typing import Any

from services.contacts.logic import contact_export
from services.contacts.service import EXPORTS_CONSUMER
from shared.consumer import EventConsumer, Handler, WithSource
from shared.events.contacts import ContactExportRequested
from shared.events.envelope import Envelope

PART_SERVICES = {
    "PointsExportPartWritten": "points",
    "CasesExportPartWritten": "cases",
    "CampaignsExportPartWritten": "campaigns",
}


def on_requested(event: Envelope[ContactExportRequested]) -> None:
    contact_export.on_requested(event.metadata.tenant_id, event.data)


def _on_part(service: str) -> Handler:
    def handle(event: Envelope[Any]) -> None:
        data = event.data
        contact_export.on_part(event.metadata.tenant_id, data.job_id, service, data.key, data.items)

    return handle


HANDLERS: dict[str, Handler | WithSource] = {
    "ContactExportRequested": on_requested,
    **{detail_type: _on_part(service) for detail_type, service in PART_SERVICES.items()},
}

handler = EventConsumer(name=EXPORTS_CONSUMER.name, handlers=HANDLERS)
