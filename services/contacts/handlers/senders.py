"""Consumer: cases' ChannelSenderSeen → the contact that WeChat sender is (ChannelSenderIdentified)."""

from __future__ import annotations

from services.contacts.logic.senders import identify
from services.contacts.service import CHANNEL_SENDERS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.cases import ChannelSenderSeen
from shared.events.envelope import Envelope


def on_seen(event: Envelope[ChannelSenderSeen]) -> None:
    identify(CHANNEL_SENDERS_CONSUMER.name, event.metadata.tenant_id, event.metadata.event_id, event.data)


handler = EventConsumer(name=CHANNEL_SENDERS_CONSUMER.name, handlers={"ChannelSenderSeen": on_seen})
