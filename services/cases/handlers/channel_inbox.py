"""Consumer: a member's channel message → their open case, a new case, or an auto-reply."""

from __future__ import annotations

from typing import Any

from services.cases.logic import inbox
from services.cases.service import CHANNEL_INBOX_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_message(event: Envelope[Any]) -> None:
    inbox.receive(event.metadata.tenant_id, event.data, event.metadata.event_id)


handler = EventConsumer(name=CHANNEL_INBOX_CONSUMER.name, handlers={"ChannelMessageReceived": on_message})
