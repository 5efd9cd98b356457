"""Consumer: contacts' ChannelSenderIdentified → the sender's link and their cases on the contact."""

from __future__ import annotations

from typing import Any

from services.cases.logic import channel_senders
from services.cases.service import CHANNEL_SENDERS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_identified(event: Envelope[Any]) -> None:
    data = event.data
    channel_senders.identified(event.metadata.tenant_id, data.channel, data.contact_id, event.metadata.event_id)


handler = EventConsumer(name=CHANNEL_SENDERS_CONSUMER.name, handlers={"ChannelSenderIdentified": on_identified})
