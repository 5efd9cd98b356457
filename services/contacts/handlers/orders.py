"""Consumer: partners' OrderPaid naming the buyer only by an identity → OrderBuyerIdentified."""

from __future__ import annotations

from services.contacts.logic.orders import on_order_paid
from services.contacts.service import ORDERS_CONSUMER
from shared.consumer import EventConsumer, WithSource
from shared.events.envelope import Envelope
from shared.events.partner import OrderPaid


def on_event(event: Envelope[OrderPaid], source: str) -> None:
    on_order_paid(ORDERS_CONSUMER.name, event.metadata.tenant_id, source, event.metadata.event_id, event.data)


handler = EventConsumer(name=ORDERS_CONSUMER.name, handlers={"OrderPaid": WithSource(on_event)})
