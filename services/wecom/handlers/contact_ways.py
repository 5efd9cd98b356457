"""Consumer: channel codes made WeCom contact ways, and the adds through them counted."""

from __future__ import annotations

from services.wecom.logic import contact_ways
from services.wecom.service import CONTACT_WAYS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.campaigns import ChannelCodeCreated
from shared.events.envelope import Envelope
from shared.events.wecom import WeComContactAdded


def on_code_created(event: Envelope[ChannelCodeCreated]) -> None:
    contact_ways.on_code_created(event.metadata.tenant_id, event.metadata.event_id, event.data)


def on_contact_added(event: Envelope[WeComContactAdded]) -> None:
    contact_ways.on_contact_added(event.metadata.tenant_id, event.metadata.event_id, event.data)


handler = EventConsumer(
    name=CONTACT_WAYS_CONSUMER.name,
    handlers={"ChannelCodeCreated": on_code_created, "WeComContactAdded": on_contact_added},
)
