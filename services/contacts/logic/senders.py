"""A WeChat app's sender cases asks about (``ChannelSenderSeen``): which contact are they?

The contact holding the sender's openid (``openid:<app_id>``) or unionid is the answer, found and
completed through the same upsert as staff creation, orders and the import: the contact gains
the identity it lacked (an official account's openid, reached through the unionid a mini-program
login gave it), and two contacts holding one each merge when it is safe. The answer,
``ChannelSenderIdentified``, is published with the change, once per event (the consumer's
processed marker goes with it).

**A sender alone makes no contact.** Contacts are created on an explicit identity signal — a
login, a staff create or import, an order naming its buyer — not because someone wrote to an
official account: that would fill the pool with profiles nobody gave. When no contact holds
either identity there is no answer; cases asks again on a later message (a member who signs in
to the mini-program afterwards is then found by the unionid). When the identities point at
contacts that cannot be merged safely (a merge candidate is recorded), or at a contact holding a
different unionid, the openid's holder is the answer, as a login signs in the openid's contact.
"""

from __future__ import annotations

from pydantic import BaseModel

from services.contacts.dal import contacts as dal
from services.contacts.logic import merging
from services.contacts.logic.contacts import new_contact
from services.contacts.models import Contact, Identities
from shared.consumer import processed_marker
from shared.dynamo import Prepare, Transaction
from shared.events.cases import ChannelSenderSeen
from shared.events.contacts import ChannelSenderIdentified
from shared.outbox import publish_with


class _NotAContact(Exception):
    """The upsert found no contact holding the sender's identities and would create one."""


def identify(consumer: str, tenant_id: str, event_id: str, seen: ChannelSenderSeen) -> str | None:
    """The contact the sender is (given the openid if it lacked it), announced once per event;
    None, with nothing written, when no contact holds the openid or the unionid."""
    address = seen.channel
    incoming = new_contact(
        tenant_id, identities=Identities(unionid=seen.unionid, openids={address.app_id: address.openid})
    )

    def mark(tx: Transaction) -> None:
        processed_marker(tx, consumer, tenant_id, event_id)

    def marker(contact: Contact) -> Prepare:
        if contact is incoming:  # nothing holds the identities: upsert is about to create it
            raise _NotAContact
        return mark

    def identified(contact: Contact) -> list[BaseModel]:
        return [ChannelSenderIdentified(channel=address, contact_id=contact.contact_id)]

    try:
        contact, _ = merging.upsert(tenant_id, incoming, actor=merging.SYSTEM, announce=identified, prepare=marker)
    except _NotAContact:
        return None
    except merging.IdentityConflict:
        return _answer_with_openid_holder(tenant_id, seen, mark)
    return contact.contact_id


def _answer_with_openid_holder(tenant_id: str, seen: ChannelSenderSeen, mark: Prepare) -> str | None:
    """The identities could not be joined on one contact: the openid's holder is the sender,
    unchanged (no answer when nobody holds the openid)."""
    holder = dal.find_by_identity(tenant_id, f"openid:{seen.channel.app_id}", seen.channel.openid)
    if holder is None:
        return None
    tx = Transaction(dal.table())
    mark(tx)
    publish_with(tx, tenant_id, ChannelSenderIdentified(channel=seen.channel, contact_id=holder))
    tx.commit()
    return holder
