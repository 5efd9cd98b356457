"""Partner orders that name their buyer only by an identity: find the contact (or create it, as
any identity upsert does) and say which one it is, so points can credit the order."""

from __future__ import annotations

from pydantic import BaseModel

from services.contacts.logic import merging
from services.contacts.logic.contacts import new_contact
from services.contacts.logic.identities import normalise_identity
from services.contacts.models import Contact, Identities
from shared.consumer import processed_marker
from shared.dynamo import Prepare, Transaction
from shared.events.contacts import OrderBuyerIdentified
from shared.events.partner import OrderPaid

# The contract's identity kinds → the contacts table's.
IDENTITY_KIND_OF = {"phone": "phone", "email": "email", "wechat_unionid": "unionid"}


def on_order_paid(consumer: str, tenant_id: str, partner: str, event_id: str, order: OrderPaid) -> None:
    """Name the order's buyer once per event (``consumer``'s processed marker goes with it)."""
    if order.contact_id is not None or order.identity is None:
        return  # the partner named the contact: points credits it directly
    kind = IDENTITY_KIND_OF[order.identity.kind]
    value = normalise_identity(kind, order.identity.value)

    def identified(contact: Contact) -> list[BaseModel]:
        return [
            OrderBuyerIdentified(
                partner=partner,
                order_id=order.order_id,
                contact_id=contact.contact_id,
                amount_fen=order.amount_fen,
                brand=order.brand,
                categories=order.categories,
            )
        ]

    def mark(tx: Transaction) -> None:
        processed_marker(tx, consumer, tenant_id, event_id)

    def marker(contact: Contact) -> Prepare:
        return mark

    # The same upsert as staff creation and the import: the identity's holder (its survivor, if
    # merged) is the buyer, else a new contact; races with other writers are looked at again.
    buyer = new_contact(tenant_id, identities=Identities(**{kind: value}))
    merging.upsert(tenant_id, buyer, actor=merging.SYSTEM, announce=identified, prepare=marker)
