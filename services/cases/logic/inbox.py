"""A member's channel message, once recorded: it continues their case (reopening it if it was
resolved; a closed case is over), opens a case when it matches one of the tenant's keyword rules
(投诉, 退款 …), or else gets the knowledge base's auto-reply when an article's keyword matches.
Every message reopens the channel's window.

The sender's case is their latest one not closed through this app, whoever it is for. A case is
opened for the contact the sender is linked to (``channel_senders``: contacts said who they are),
or without a contact while no link exists; a sender cases has not asked contacts about yet is
asked about first.

Idempotent: the case write carries this consumer's marker for the event; an auto-reply is sent
after its marker is written, so a redelivered event never sends it twice (at most once).
"""

from __future__ import annotations

from services.cases.dal import cases as dal
from services.cases.dal import channel as channel_dal
from services.cases.dal import kb as kb_dal
from services.cases.dal import routing as routing_dal
from services.cases.gateways.channel import ChannelRefused, gateway
from services.cases.logic import channel_senders, kb_search
from services.cases.logic.changes import CaseChange
from services.cases.logic.intake import Draft, open_case
from services.cases.logic.workflow import on_member_reply
from services.cases.models import Actor, Case, ChannelSender, KeywordRule, Message
from services.cases.service import CHANNEL_INBOX_CONSUMER
from shared import ids
from shared.dynamo import Prepare
from shared.errors import UpstreamUnavailable
from shared.events.cases import ChannelMessageReceived
from shared.inbox import handled
from shared.observability import logger
from shared.retry import retry_on_race

SUBJECT_LENGTH = 60


def _rule_for(rules: list[KeywordRule], text: str) -> KeywordRule | None:
    folded = text.casefold()
    return next((rule for rule in rules if any(word.casefold() in folded for word in rule.keywords)), None)


def _sender(message: ChannelMessageReceived) -> Actor:
    return Actor(kind="member", id=f"{message.channel.app_id}:{message.channel.openid}")


def _body(message: ChannelMessageReceived) -> str:
    return message.content or f"[{message.msg_type}]"


def _marker_and_window(tenant_id: str, message: ChannelMessageReceived, event_id: str) -> list[Prepare]:
    """The consumer's marker for the event and the reopened window, in the case's transaction."""
    return [
        handled(CHANNEL_INBOX_CONSUMER.name, tenant_id, event_id),
        channel_dal.window_opener(tenant_id, message.channel),
    ]


def _continue(tenant_id: str, case: Case, message: ChannelMessageReceived, event_id: str) -> None:
    change = CaseChange.of(case, _sender(message), message.sent_at)
    change.add_message(
        Message(message_id=ids.new_id("msg_"), kind="inbound", author=change.actor, body=_body(message), at=change.at)
    )
    target = on_member_reply(case.status)
    if target is not None:
        change.move(target, "the member wrote")
    change.write.prepares += _marker_and_window(tenant_id, message, event_id)
    dal.commit(change.write)


def _open(
    tenant_id: str, rule: KeywordRule, message: ChannelMessageReceived, event_id: str, contact_id: str | None
) -> None:
    """A case for the sender's contact, or without one on the condition that the sender is still
    not linked when it is written (else the link's move could miss it: decide again)."""
    draft = Draft(
        type=rule.type,
        priority=rule.priority,
        subject=_body(message)[:SUBJECT_LENGTH],
        intake="wechat",
        opened_by=_sender(message),
        contact_id=contact_id,
        channel=message.channel,
        first_message=_body(message),
    )
    prepares = _marker_and_window(tenant_id, message, event_id)
    if contact_id is None:
        prepares.append(channel_dal.still_unlinked(tenant_id, message.channel))
    open_case(tenant_id, draft, prepares)


def _auto_reply(tenant_id: str, message: ChannelMessageReceived, event_id: str) -> None:
    article = kb_search.auto_reply_for(kb_dal.all_articles(tenant_id), message.content) if message.content else None
    channel_dal.open_window_with(tenant_id, message.channel, handled(CHANNEL_INBOX_CONSUMER.name, tenant_id, event_id))
    if article is None:
        return
    if channel_dal.take_window_place(tenant_id, message.channel) != "ok":
        return
    try:
        gateway().send(tenant_id, message.channel, f"auto_{message.msg_id}", article.answer or article.body)
    except (ChannelRefused, UpstreamUnavailable) as error:
        channel_dal.give_window_place_back(tenant_id, message.channel)
        logger.warning("auto-reply not sent", extra={"article_id": article.article_id, "error": str(error)})


def _handle(tenant_id: str, message: ChannelMessageReceived, event_id: str, sender: ChannelSender | None) -> None:
    case = dal.live_case_on_channel(tenant_id, message.channel)
    if case is not None:
        _continue(tenant_id, case, message, event_id)
        return
    rule = _rule_for(routing_dal.settings(tenant_id).keyword_rules, message.content)
    if rule is not None:
        _open(tenant_id, rule, message, event_id, sender.contact_id if sender else None)
    else:
        _auto_reply(tenant_id, message, event_id)


def receive(tenant_id: str, message: ChannelMessageReceived, event_id: str) -> None:
    """A lost race (the sender's case moved, a second message opened one, the sender was linked)
    reads again and decides again."""
    first = channel_senders.known(tenant_id, message.channel)

    def attempt(number: int) -> None:
        sender = first if number == 0 else channel_senders.read(tenant_id, message.channel)
        _handle(tenant_id, message, event_id, sender)

    retry_on_race(attempt)
