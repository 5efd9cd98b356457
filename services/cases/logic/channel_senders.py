"""Who a WeChat sender is: cases asks contacts, and links the sender's cases to the answer.

Cases never reads contacts' table. The first time the inbox sees a sender (an app and an openid)
it asks, with ``ChannelSenderSeen`` carrying the address and, for an official account's follower,
the unionid WeChat gives (``cgi-bin/user/info``). Contacts answers ``ChannelSenderIdentified`` when
one of its contacts holds the openid or the unionid (and gives that contact the openid); it
creates no contact for a sender. Until an answer comes, the sender's next message asks again at
most once an hour: a member who writes to the official account first and signs in to the
mini-program later is linked on a later message.

The answer is recorded as the sender's link (``T#t#CHANNEL#{app}#{openid}`` / ``SENDER``), then
the sender's cases without a contact move onto the contact, found through the sender's case
index read consistently. A case without a contact is only written while the link is absent
(``channel.still_unlinked``), so none is missed; from then on the inbox opens the sender's cases
for the contact (an alias resolving to its survivor through the directory, as every intake).
Repeating an answer links the same contact and finds nothing left to move. The link names the
contact holding the answer's cases (an alias's survivor), and follows a later merge of it
(``contact_cases``); an erasure of the contact removes it. The openid and unionid are personal
data: they are never logged.
"""

from __future__ import annotations

import time

from services.cases.dal import cases as dal
from services.cases.dal import channel as channel_dal
from services.cases.dal import contact_directory as directory
from services.cases.dal.table import mark_handled
from services.cases.gateways.channel import ChannelRefused, gateway
from services.cases.logic import aliases
from services.cases.logic.changes import CaseChange
from services.cases.models import Actor, ChannelSender
from services.cases.service import CHANNEL_SENDERS_CONSUMER
from shared.clock import now_rfc3339
from shared.errors import UpstreamUnavailable
from shared.events.cases import ChannelAddress
from shared.observability import logger
from shared.retry import retry_on_race

ASK_AGAIN_SECONDS = 3600  # an unanswered sender is asked about again at most this often
CONTACTS = Actor(kind="system", id="contacts")


def known(tenant_id: str, address: ChannelAddress) -> ChannelSender | None:
    """The sender as cases knows them, read consistently; contacts is asked who they are when
    nobody has asked yet, or when the last ask is an hour old and was not answered. When WeChat
    does not answer the unionid question, nobody asks this time: the next message will."""
    sender = channel_dal.sender(tenant_id, address)
    if sender is not None and (sender.contact_id or (sender.asked_at or 0) > time.time() - ASK_AGAIN_SECONDS):
        return sender
    try:
        unionid = gateway().unionid(tenant_id, address)
    except (ChannelRefused, UpstreamUnavailable) as error:
        logger.warning(
            "sender's unionid not available; asking later", extra={"app_id": address.app_id, "error": str(error)}
        )
        return sender
    channel_dal.ask(tenant_id, address, unionid, sender.asked_at if sender else None)
    return sender


def read(tenant_id: str, address: ChannelAddress) -> ChannelSender | None:
    return channel_dal.sender(tenant_id, address)


def _attach(tenant_id: str, address: ChannelAddress, contact_id: str, case_id: str) -> None:
    """Give one of the sender's cases without a contact to the contact holding the linked
    contact's cases now (an alias's survivor), on the condition that it still holds them."""
    case = dal.get_case(tenant_id, case_id)
    if case is None or case.contact_id is not None or case.channel != address:
        return
    target = aliases.holder_id(tenant_id, contact_id)
    change = CaseChange.of(case, CONTACTS, now_rfc3339())
    change.case.contact_id = target
    change.note(f"the WeChat sender is contact {target}")
    change.write.prepares.append(directory.still_holder(tenant_id, target))
    dal.commit(change.write)


def _attach_retrying(tenant_id: str, address: ChannelAddress, contact_id: str, case_id: str) -> None:
    retry_on_race(lambda _: _attach(tenant_id, address, contact_id, case_id))


def identified(tenant_id: str, address: ChannelAddress, contact_id: str, event_id: str) -> None:
    """Contacts' answer: link the sender (the first answer stays), then move their cases without
    a contact onto it. An answer naming a contact erased meanwhile links nothing. The consumer's
    marker is written last, so a failure midway repeats it all."""
    linked = retry_on_race(lambda _: _link(tenant_id, address, contact_id))
    if linked is not None:
        for case_id in dal.sender_case_ids(tenant_id, address):
            _attach_retrying(tenant_id, address, linked, case_id)
    mark_handled(CHANNEL_SENDERS_CONSUMER.name, tenant_id, event_id)


def _link(tenant_id: str, address: ChannelAddress, contact_id: str) -> str | None:
    """Link the sender to the contact holding this contact's cases (an alias's survivor), on the
    condition that it is not merged meanwhile (a merge moves the links it finds); None for an
    erased contact."""
    holder = aliases.holder(tenant_id, contact_id)
    if holder.erased_version:
        return None
    return channel_dal.link(tenant_id, address, holder.contact_id, directory.still_holder(tenant_id, holder.contact_id))
