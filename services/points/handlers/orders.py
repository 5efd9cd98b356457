"""Consumer: partners' OrderPaid / OrderRefunded → points earned or taken back."""

from __future__ import annotations

from services.points.logic import orders
from shared.consumer import EventConsumer, WithSource
from shared.events.envelope import Envelope
from shared.events.partner import OrderPaid, OrderRefunded


def on_paid(event: Envelope[OrderPaid], source: str) -> None:
    orders.on_paid(event.metadata.tenant_id, source, event.data)


def on_refunded(event: Envelope[OrderRefunded], source: str) -> None:
    orders.on_refunded(event.metadata.tenant_id, source, event.data)


handler = EventConsumer(
    name="points-orders",
    handlers={"OrderPaid": WithSource(on_paid), "OrderRefunded": WithSource(on_refunded)},
)
