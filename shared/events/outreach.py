"""Events published by the outreach service (source ``siyu.outreach``).

Outreach decides who is reached, when and with what; the service that owns a channel's platform
account does the reaching. A WeCom 群发 is made by the wecom service (it holds the corp's secrets):
outreach publishes one ``BroadcastDispatched`` per sending staff member and wecom answers with
``WeComMassMessageCreated`` and, as staff confirm and customers receive it,
``WeComMassMessageProgressed`` (shared/events/wecom.py).
"""

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StrictInt, StringConstraints

from shared.events.envelope import MAX_COUNT, EventData, Id, Key, Label

WeComChatType = Literal["single", "group"]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2048)]
MessageText = Annotated[str, StringConstraints(max_length=4000)]
ShortText = Annotated[str, StringConstraints(max_length=512)]


class WeComImage(EventData):
    media_id: ShortText | None = None
    pic_url: Url | None = None


class WeComLink(EventData):
    title: ShortText
    url: Url
    picurl: Url | None = None
    desc: ShortText | None = None


class WeComMiniProgram(EventData):
    title: ShortText
    appid: ShortText
    page: ShortText
    pic_media_id: ShortText | None = None


class WeComMessageContent(EventData):
    """A filled WeCom customer message: text and at most nine attachments (WeCom's rule)."""

    text: MessageText | None = None
    images: list[WeComImage] = Field(default_factory=list, max_length=9)
    links: list[WeComLink] = Field(default_factory=list, max_length=9)
    miniprograms: list[WeComMiniProgram] = Field(default_factory=list, max_length=9)


class BroadcastDispatched(EventData):
    """One staff member's share of a WeCom broadcast, ready for WeCom (add_msg_template).

    The recipients (external_userids for ``single``, at most 10,000) are a JSON list in the file
    store: an event of 10,000 ids would pass EventBridge's size limit. A ``group`` dispatch has no
    list: it goes to every customer group the staff member owns (WeCom's add_msg_template with
    chat_type group and no chat_id_list)."""

    broadcast_id: Id
    dispatch_id: Key = Field(description="Unique per broadcast and staff member; wecom's idempotency key.")
    corp_id: Key
    staff_id: Id = Field(description="The sending staff member's WeCom userid.")
    chat_type: WeComChatType
    recipients_key: Key | None = Field(
        description="The file store key of the JSON list of external_userids (None for a group dispatch)."
    )
    recipients: Annotated[StrictInt, Field(ge=0, le=10_000)] = Field(description="How many the list holds.")
    content: WeComMessageContent


class BroadcastStepped(EventData):
    """A broadcast's planning continues: the next page of its audience is to be planned."""

    broadcast_id: Id
    step: Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]


class BroadcastStatusChanged(EventData):
    broadcast_id: Id
    status: Label = Field(description="scheduled, planning, sending, sent, cancelled or failed.")
    changed_at: AwareDatetime


class OutreachMessageSent(EventData):
    """A message reached a contact's channel (or was handed to WeCom's staff task)."""

    message_id: Key
    contact_id: Id
    channel: Label
    template_id: Id
    origin: Literal["broadcast", "journey"]
    origin_id: Id
    sent_at: AwareDatetime


class JourneyTagDecided(EventData):
    """A journey's tag step: contacts adds (or removes) the tag. ``decision_id`` is unique per
    enrollment run and step: a redelivery changes nothing more."""

    decision_id: Key
    journey_id: Id
    contact_id: Id
    tag: Label
    action: Literal["add", "remove"]


class JourneyPointsGranted(EventData):
    """A journey's award step: points credits the contact once per ``grant_id`` (its ledger
    source is ``journey:<grant_id>``)."""

    grant_id: Key
    journey_id: Id
    contact_id: Id
    points: Annotated[StrictInt, Field(ge=1, le=1_000_000)]


class StaffTaskChanged(EventData):
    """A staff task (a journey's SOP reminder) was created, completed, skipped or went overdue."""

    task_id: Id
    staff_id: Id
    contact_id: Id
    status: Literal["open", "done", "skipped", "overdue"]
    due_at: AwareDatetime
    changed_at: AwareDatetime


EVENTS: dict[str, type[EventData]] = {
    "BroadcastDispatched": BroadcastDispatched,
    "BroadcastStepped": BroadcastStepped,
    "BroadcastStatusChanged": BroadcastStatusChanged,
    "OutreachMessageSent": OutreachMessageSent,
    "JourneyTagDecided": JourneyTagDecided,
    "JourneyPointsGranted": JourneyPointsGranted,
    "StaffTaskChanged": StaffTaskChanged,
}
