"""The channels outreach sends on, each behind one adapter: which consent it needs, which cap family
it counts in, how a contact is addressed on it, how its messages go out and how fast they may.

Broadcasts (``planning``), journeys (``journey_engine``) and the preview ask the adapter and never
the channel's name, so a new channel (SMS) is one adapter here plus its template content model
(``template_models``) and its gateway:

- ``delivery="direct"``: outreach sends each message itself, at most ``per_second`` a second, by
  calling ``send`` (WeChat template and subscribe messages; an SMS gateway would be one);
- ``delivery="staff_confirmed"``: the messages are handed to WeCom as one 群发 task per sending
  staff member, who confirms it in WeCom (``send`` is never called);
- ``delivery="group_chats"``: the message goes to the staff members' customer groups, not to
  contacts (no per-contact address, cap or consent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from services.outreach.gateways.wechat import messages
from services.outreach.models import CapFamily, Channel, ContactFacts, Friendship

Delivery = Literal["direct", "staff_confirmed", "group_chats"]
SkipReason = Literal[
    "contact_gone", "no_consent", "no_wecom_relationship", "no_wechat_openid", "cap_reached", "not_a_contact_channel"
]


@dataclass(frozen=True)
class Address:
    """Where one contact is reached on a channel: a WeCom friendship (its staff member sends) or a
    WeChat openid under the template's app."""

    staff_id: str | None = None
    corp_id: str | None = None
    external_userid: str | None = None
    openid: str | None = None


@dataclass(frozen=True)
class ChannelAdapter:
    name: Channel
    consent: str
    """The contact's consent entry this channel needs (``consent[<entry>]['marketing'] is True``)."""
    family: CapFamily | None
    """The per-contact cap counters a send counts in (None: not a per-contact send)."""
    delivery: Delivery
    per_second: int = 0
    """The channel's API rate for a tenant (direct channels)."""

    def address(self, facts: ContactFacts, app_id: str | None) -> Address | SkipReason:
        """Where the contact is reached, or why it is not (consent and status are checked first)."""
        raise NotImplementedError

    def send(self, tenant_id: str, message_id: str, address: Address, content: dict[str, Any]) -> None:
        """Send one filled message (direct channels); raises ChannelRefused for a recipient refused
        for good, UpstreamUnavailable for a failure worth retrying."""
        raise TypeError(f"outreach does not send {self.name} messages itself ({self.delivery})")


def wecom_address(facts: ContactFacts) -> Address | None:
    """The friendship a WeCom message goes through: the owner's when the owner has the customer,
    else the earliest friend's (the relationship that has lasted longest)."""
    if not facts.friends:
        return None
    owner = facts.owner
    chosen: Friendship = next(
        (friend for friend in facts.friends if friend.staff_id == owner),
        min(facts.friends, key=lambda friend: (friend.added_at, friend.staff_id)),
    )
    return Address(staff_id=chosen.staff_id, corp_id=chosen.corp_id, external_userid=chosen.external_userid)


@dataclass(frozen=True)
class WeComCustomers(ChannelAdapter):
    """WeCom 群发 to customers: WeCom sends once the staff member confirms."""

    def address(self, facts: ContactFacts, app_id: str | None) -> Address | SkipReason:
        return wecom_address(facts) or "no_wecom_relationship"


@dataclass(frozen=True)
class WeComGroups(ChannelAdapter):
    """WeCom 群发 to the staff members' customer groups: a chat, not a contact."""

    def address(self, facts: ContactFacts, app_id: str | None) -> Address | SkipReason:
        return "not_a_contact_channel"


@dataclass(frozen=True)
class WeChatMessages(ChannelAdapter):
    """Official account template messages and mini-program subscribe messages: one openid each,
    under the template's app."""

    def address(self, facts: ContactFacts, app_id: str | None) -> Address | SkipReason:
        openid = facts.openids.get(app_id or "")
        return Address(openid=openid) if openid else "no_wechat_openid"

    def send(self, tenant_id: str, message_id: str, address: Address, content: dict[str, Any]) -> None:
        messages().send(tenant_id, self.name, message_id, str(address.openid), content)


WECHAT_PER_SECOND = 50

CHANNELS: dict[str, ChannelAdapter] = {
    adapter.name: adapter
    for adapter in (
        WeComCustomers("wecom_customer", consent="wecom", family="wecom", delivery="staff_confirmed"),
        WeComGroups("wecom_group", consent="wecom", family=None, delivery="group_chats"),
        WeChatMessages("wechat_template", "wechat", "wechat_template", "direct", WECHAT_PER_SECOND),
        WeChatMessages("wechat_subscribe", "wechat", "wechat_subscribe", "direct", WECHAT_PER_SECOND),
    )
}


def adapter(channel: str) -> ChannelAdapter:
    return CHANNELS[channel]
