"""Consumer: partners' OrderPaid / OrderRefunded → points earned or taken back.

An order naming its buyer only by an identity is credited when contacts says whose it is
(OrderBuyerIdentified)."""

from __future__ import annotations

from services.points.logic import orders
from services.points.service import ORDERS_CONSUMER
from shared.consumer import EventConsumer, WithSource
from shared.events.contacts import OrderBuyerIdentified
from shared.events.envelope import Envelope
from shared.events.partner import OrderPaid, OrderRefunded


def on_paid(event: Envelope[OrderPaid], source: str) -> None:
    orders.on_paid(event.metadata.tenant_id, source, event.data)


def on_identified(event: Envelope[OrderBuyerIdentified]) -> None:
    """An identity-only order, now with its buyer's contact (from contacts)."""
    data = event.data
    order = OrderPaid(order_id=data.order_id, contact_id=data.contact_id, amount_fen=data.amount_fen, brand=data.brand)
    orders.on_paid(event.metadata.tenant_id, data.partner, order)


def on_refunded(event: Envelope[OrderRefunded], source: str) -> None:
    orders.on_refunded(event.metadata.tenant_id, source, event.data)


handler = EventConsumer(
    name=ORDERS_CONSUMER.name,
    handlers={
        "OrderPaid": WithSource(on_paid),
        "OrderRefunded": WithSource(on_refunded),
        "OrderBuyerIdentified": on_identified,
    },
)
