"""Partner orders that name their buyer only by an identity: find the contact (or create it, as
any identity upsert does) and say which one it is, so points can credit the order."""

from __future__ import annotations

from services.contacts.dal import contacts as dal
from services.contacts.logic.contacts import created_event, new_contact
from services.contacts.logic.identities import normalise_identity
from services.contacts.models import Identities
from shared.consumer import processed_marker
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.events.contacts import OrderBuyerIdentified
from shared.events.partner import OrderPaid
from shared.retry import retry_on_race

# The contract's identity kinds → the contacts table's.
IDENTITY_KIND_OF = {"phone": "phone", "email": "email", "wechat_unionid": "unionid"}
# Another writer took the identity (created the buyer first) or moved the contact: look again.
BUYER_RACES = (dal.IdentityTaken, dal.ContactExists, ConcurrentUpdate)


def on_order_paid(consumer: str, tenant_id: str, partner: str, event_id: str, order: OrderPaid) -> None:
    """Name the order's buyer once per event (``consumer``'s processed marker goes with it)."""
    if order.contact_id is not None or order.identity is None:
        return  # the partner named the contact: points credits it directly
    kind = IDENTITY_KIND_OF[order.identity.kind]
    value = normalise_identity(kind, order.identity.value)

    def identified(contact_id: str) -> OrderBuyerIdentified:
        return OrderBuyerIdentified(
            partner=partner,
            order_id=order.order_id,
            contact_id=contact_id,
            amount_fen=order.amount_fen,
            brand=order.brand,
        )

    def marker(tx: Transaction) -> None:
        processed_marker(tx, consumer, tenant_id, event_id)

    def attempt(_: int) -> None:
        found = dal.find_by_identity(tenant_id, kind, value)
        contact = dal.get(tenant_id, found) if found else None
        if contact is not None:
            dal.save(contact, contact, [identified(contact.contact_id)], prepare=marker)
        else:
            created = new_contact(tenant_id, identities=Identities(**{kind: value}))
            dal.save(None, created, [created_event(created), identified(created.contact_id)], prepare=marker)

    retry_on_race(
        attempt,
        races=BUYER_RACES,
        exhausted=lambda: Conflict("The buyer's contact is too busy; the order will be retried."),
    )
