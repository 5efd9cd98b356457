"""Consumer: qualified invitees and orders → the influence network and KOC flags (logic/influence.py)."""

from __future__ import annotations

from services.campaigns.logic import influence
from services.campaigns.service import INFLUENCE_CONSUMER
from shared.consumer import EventConsumer, WithSource
from shared.events.campaigns import InviteeQualified
from shared.events.contacts import OrderBuyerIdentified
from shared.events.envelope import Envelope
from shared.events.partner import OrderPaid


def on_qualified(event: Envelope[InviteeQualified]) -> None:
    influence.on_qualified(event.metadata.tenant_id, event.data)


def on_paid(event: Envelope[OrderPaid], source: str) -> None:
    order = event.data
    if order.contact_id is not None:  # identity only: contacts' OrderBuyerIdentified names the buyer
        influence.on_order(event.metadata.tenant_id, order.contact_id, source, order.order_id, order.amount_fen)


def on_buyer_identified(event: Envelope[OrderBuyerIdentified]) -> None:
    order = event.data
    influence.on_order(event.metadata.tenant_id, order.contact_id, order.partner, order.order_id, order.amount_fen)


handler = EventConsumer(
    name=INFLUENCE_CONSUMER.name,
    handlers={
        "InviteeQualified": on_qualified,
        "OrderPaid": WithSource(on_paid),
        "OrderBuyerIdentified": on_buyer_identified,
    },
)
