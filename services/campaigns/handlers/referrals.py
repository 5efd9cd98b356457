"""Consumer: the qualifying actions of referral invitees, from contacts, partners' orders and WeCom
adds → their pending invitations qualify (logic/qualification.py); an invitee's deletion of the
staff member or refund → its claw-back (logic/clawback.py)."""

from __future__ import annotations

from services.campaigns.logic import clawback, qualification
from services.campaigns.service import QUALIFYING_ACTIONS_CONSUMER
from shared.consumer import EventConsumer, WithSource
from shared.events.contacts import (
    ContactUpdated,
    OrderBuyerIdentified,
    WeComCustomerIdentified,
    WeComCustomerRemoved,
)
from shared.events.envelope import Envelope
from shared.events.partner import OrderPaid, OrderRefunded


def on_contact_updated(event: Envelope[ContactUpdated]) -> None:
    if "phone" in event.data.changed:  # the rule selects these; a replayed archive may not
        qualification.on_action(
            event.metadata.tenant_id, event.data.contact_id, "phone_bound", event.metadata.occurred_at
        )


def on_order_paid(event: Envelope[OrderPaid]) -> None:
    if event.data.contact_id is not None:  # identity only: contacts' OrderBuyerIdentified names the buyer
        qualification.on_action(
            event.metadata.tenant_id, event.data.contact_id, "first_order", event.metadata.occurred_at
        )


def on_buyer_identified(event: Envelope[OrderBuyerIdentified]) -> None:
    qualification.on_action(event.metadata.tenant_id, event.data.contact_id, "first_order", event.metadata.occurred_at)


def on_wecom_added(event: Envelope[WeComCustomerIdentified]) -> None:
    added = event.data.added
    if not added.half and added.reason is None:  # a friendship made, not awaited or handed over
        qualification.on_action(event.metadata.tenant_id, event.data.contact_id, "wecom_added", added.added_at)


def on_wecom_removed(event: Envelope[WeComCustomerRemoved]) -> None:
    clawback.on_wecom_removed(event.metadata.tenant_id, event.data)


def on_refunded(event: Envelope[OrderRefunded], source: str) -> None:
    clawback.on_refunded(event.metadata.tenant_id, source, event.data.order_id, event.metadata.occurred_at)


handler = EventConsumer(
    name=QUALIFYING_ACTIONS_CONSUMER.name,
    handlers={
        "ContactUpdated": on_contact_updated,
        "OrderPaid": on_order_paid,
        "OrderBuyerIdentified": on_buyer_identified,
        "WeComCustomerIdentified": on_wecom_added,
        "WeComCustomerRemoved": on_wecom_removed,
        "OrderRefunded": WithSource(on_refunded),
    },
)
