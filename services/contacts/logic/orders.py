"""Partner orders that name their buyer only by an identity: find the contact (or create it, as
any identity upsert does) and say which one it is, so points can credit the order."""

from __future__ import annotations

from services.contacts.dal import contacts as dal
from services.contacts.logic.contacts import created_event, new_contact
from services.contacts.logic.identities import normalise_email, normalise_phone
from services.contacts.models import Identities
from shared.consumer import AlreadyProcessed, processed_marker
from shared.dynamo import Transaction
from shared.errors import Conflict
from shared.events.contacts import OrderBuyerIdentified
from shared.events.partner import OrderPaid

CONSUMER = "contacts-orders"
ATTEMPTS = 5
KINDS = {"phone": "phone", "email": "email", "wechat_unionid": "unionid"}


def _normalised(kind: str, value: str) -> str:
    if kind == "phone":
        return normalise_phone(value)
    if kind == "email":
        return normalise_email(value)
    return value


def on_order_paid(tenant_id: str, partner: str, event_id: str, order: OrderPaid) -> None:
    if order.contact_id is not None or order.identity is None:
        return  # the partner named the contact: points credits it directly
    kind = KINDS[order.identity.kind]
    value = _normalised(kind, order.identity.value)

    def identified(contact_id: str) -> OrderBuyerIdentified:
        return OrderBuyerIdentified(
            partner=partner,
            order_id=order.order_id,
            contact_id=contact_id,
            amount_fen=order.amount_fen,
            brand=order.brand,
        )

    def marker(tx: Transaction) -> None:
        processed_marker(tx, CONSUMER, tenant_id, event_id)

    for _ in range(ATTEMPTS):
        found = dal.find_by_identity(tenant_id, kind, value)
        contact = dal.get(tenant_id, found) if found else None
        try:
            if contact is not None:
                dal.save(contact, contact, [identified(contact.contact_id)], prepare=marker)
            else:
                created = new_contact(tenant_id, identities=Identities(**{kind: value}))
                dal.save(None, created, [created_event(created), identified(created.contact_id)], prepare=marker)
        except AlreadyProcessed:
            raise
        except Conflict:
            continue  # another writer took the identity or moved the contact: look again
        return
    raise Conflict("The buyer's contact is too busy; the order will be retried.")
