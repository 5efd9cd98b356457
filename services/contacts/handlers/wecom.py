"""Consumer: wecom's WeComContactAdded / WeComContactRemoved → the customer's contact, owner,
timeline and lifecycle (WeComCustomerIdentified answers an add)."""

from __future__ import annotations

from services.contacts.logic import wecom
from services.contacts.service import WECOM_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope
from shared.events.wecom import WeComContactAdded, WeComContactRemoved


def on_added(event: Envelope[WeComContactAdded]) -> None:
    wecom.on_added(WECOM_CONSUMER.name, event.metadata.tenant_id, event.metadata.event_id, event.data)


def on_removed(event: Envelope[WeComContactRemoved]) -> None:
    wecom.on_removed(WECOM_CONSUMER.name, event.metadata.tenant_id, event.metadata.event_id, event.data)


handler = EventConsumer(
    name=WECOM_CONSUMER.name, handlers={"WeComContactAdded": on_added, "WeComContactRemoved": on_removed}
)
