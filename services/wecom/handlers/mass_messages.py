"""Consumer: outreach's dispatches (one staff member's share of a WeCom broadcast) → 群发 tasks."""

from __future__ import annotations

from services.wecom.logic import mass_messages
from services.wecom.service import MASS_MESSAGES_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope
from shared.events.outreach import BroadcastDispatched


def on_dispatched(event: Envelope[BroadcastDispatched]) -> None:
    mass_messages.dispatched(event.metadata.tenant_id, event.metadata.event_id, event.data)


handler = EventConsumer(name=MASS_MESSAGES_CONSUMER.name, handlers={"BroadcastDispatched": on_dispatched})
