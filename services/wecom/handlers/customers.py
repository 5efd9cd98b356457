"""Consumer: contacts' answers (which contact a customer is) and merges → relationships by contact."""

from __future__ import annotations

from services.wecom.logic import customers
from services.wecom.service import CUSTOMERS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.contacts import ContactsMerged, WeComCustomerIdentified
from shared.events.envelope import Envelope


def on_identified(event: Envelope[WeComCustomerIdentified]) -> None:
    customers.identified(event.metadata.tenant_id, event.metadata.event_id, event.data)


def on_merged(event: Envelope[ContactsMerged]) -> None:
    customers.merged(event.metadata.tenant_id, event.metadata.event_id, event.data)


handler = EventConsumer(
    name=CUSTOMERS_CONSUMER.name,
    handlers={"WeComCustomerIdentified": on_identified, "ContactsMerged": on_merged},
)
