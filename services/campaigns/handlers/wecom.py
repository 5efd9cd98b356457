"""Consumer: contacts' WeComCustomerIdentified → a scan of the channel code the add came through."""

from __future__ import annotations

from services.campaigns.logic.scans import on_wecom_add
from services.campaigns.service import WECOM_ADDS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.contacts import WeComCustomerIdentified
from shared.events.envelope import Envelope


def on_event(event: Envelope[WeComCustomerIdentified]) -> None:
    on_wecom_add(event.metadata.tenant_id, event.data)


handler = EventConsumer(name=WECOM_ADDS_CONSUMER.name, handlers={"WeComCustomerIdentified": on_event})
