"""Consumer: a member's channel message → their open case, a new case, or an auto-reply."""

from __future__ import annotations

from typing import Any

from services.cases.logic import inbox
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_message(event: Envelope[Any]) -> None:
    inbox.receive(event.metadata.tenant_id, event.data, event.metadata.event_id)


handler = EventConsumer(name=inbox.CONSUMER, handlers={"ChannelMessageReceived": on_message})
