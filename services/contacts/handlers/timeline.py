"""Consumer: every fact about a contact, from every service → its timeline (once per event)."""

from __future__ import annotations

from typing import Any

from services.contacts.logic import timeline
from services.contacts.service import TIMELINE_CONSUMER, TIMELINE_FACTS
from shared.consumer import EventConsumer, Handler, WithSource
from shared.events.envelope import Envelope


def fact(detail_type: str) -> WithSource:
    def on_event(event: Envelope[Any], source: str) -> None:
        timeline.on_event(event.metadata.tenant_id, event, source, detail_type)

    return WithSource(on_event)


def on_refunded(event: Envelope[Any], source: str) -> None:
    timeline.on_refunded(event.metadata.tenant_id, event, source)


def on_merged(event: Envelope[Any]) -> None:
    timeline.on_merged(event.metadata.tenant_id, event)


HANDLERS: dict[str, Handler | WithSource] = {detail_type: fact(detail_type) for detail_type in TIMELINE_FACTS}
HANDLERS |= {"OrderRefunded": WithSource(on_refunded), "ContactsMerged": on_merged}

handler = EventConsumer(name=TIMELINE_CONSUMER.name, handlers=HANDLERS)
