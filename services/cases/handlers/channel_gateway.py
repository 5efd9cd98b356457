"""Consumer: a staff reply requested → delivered through the member's channel (or held)."""

from __future__ import annotations

from typing import Any

from services.cases.logic.delivery import deliver
from services.cases.service import CHANNEL_GATEWAY_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_reply_requested(event: Envelope[Any]) -> None:
    deliver(event.metadata.tenant_id, event.data)


handler = EventConsumer(name=CHANNEL_GATEWAY_CONSUMER.name, handlers={"CaseReplyRequested": on_reply_requested})
