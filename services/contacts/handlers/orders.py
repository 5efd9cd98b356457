"""Consumer: partners' OrderPaid naming the buyer only by an identity → OrderBuyerIdentified."""

from __future__ import annotations

from services.contacts.logic.orders import CONSUMER, on_order_paid
from shared.consumer import EventConsumer, WithSource
from shared.events.envelope import Envelope
from shared.events.partner import OrderPaid


def on_event(event: Envelope[OrderPaid], source: str) -> None:
    on_order_paid(event.metadata.tenant_id, source, event.metadata.event_id, event.data)


handler = EventConsumer(name=CONSUMER, handlers={"OrderPaid": WithSource(on_event)})
