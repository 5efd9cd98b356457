"""Events published by the cases service (source ``siyu.cases``)."""

from typing import Annotated, Literal

from pydantic import Field, StrictInt

from shared.events.envelope import MAX_COUNT, Count, EventData, Flag, Id, Key, Label, Moment, Reason

CaseType = Literal["complaint", "inquiry", "after_sales", "feedback", "compliance"]
Priority = Literal["low", "normal", "high", "urgent"]
CaseStatus = Literal["new", "assigned", "in_progress", "waiting_on_customer", "resolved", "closed"]
ChannelKind = Literal["wechat_mini_program", "wechat_official_account"]
Intake = Literal["member", "staff", "wechat", "partner", "compliance"]


# Records in a PIPL export part (ContactExportRequested).
ExportItems = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]


class ChannelAddress(EventData):
    """Where replies to a member go: a WeChat app and the member's openid in it."""

    kind: ChannelKind
    app_id: str = Field(min_length=1, max_length=64)
    openid: str = Field(min_length=1, max_length=128)


class CaseRef(EventData):
    case_id: Id
    contact_id: Id | None = Field(description="The member the case is about, when there is one.")


class CaseOpened(CaseRef):
    type: CaseType
    priority: Priority
    intake: Intake = Field(description="How the case came in.")
    queue_id: Id | None
    brand: Label | None


class CaseAssignmentChanged(CaseRef):
    queue_id: Id | None
    assignee: Id | None = Field(description="The agent now holding the case; None = waiting in its queue.")
    previous_assignee: Id | None
    actor: Id = Field(description="A staff id, or 'system' for automatic routing.")


class CaseStatusChanged(CaseRef):
    from_status: CaseStatus
    to_status: CaseStatus
    actor_kind: Literal["member", "staff", "system"]
    actor_id: Id
    reason: Reason | None


class CaseMessageAdded(CaseRef):
    message_id: Id
    kind: Literal["inbound", "outbound", "note"]
    author_kind: Literal["member", "staff", "system"]


class CaseReplyRequested(CaseRef):
    """A staff reply to deliver through the member's channel (consumed by the channel gateway)."""

    message_id: Id
    channel: ChannelAddress
    body: str = Field(min_length=1, max_length=2000)


class CaseReplyDelivered(CaseRef):
    message_id: Id
    channel_kind: ChannelKind


class CaseReplyHeld(CaseRef):
    """The channel's window does not allow the reply now; the member still sees it in the thread."""

    message_id: Id
    reason: Literal["window_closed", "window_message_limit", "no_channel"]


class CaseReplyFailed(CaseRef):
    message_id: Id
    reason: Reason


class CaseSlaBreached(CaseRef):
    target: Literal["first_response", "resolution"]
    due_at: Moment
    priority: Priority
    assignee: Id | None


class CaseRated(CaseRef):
    rating: Annotated[StrictInt, Field(ge=1, le=5)]
    resolution: Count = Field(description="Which resolution of the case was rated (1 = the first).")
    reopened: Flag


class ChannelMessageReceived(EventData):
    """A member wrote to a WeChat app (its customer-service message callback, signature verified)."""

    channel: ChannelAddress
    msg_id: str = Field(min_length=1, max_length=64, description="WeChat's MsgId: unique per message.")
    msg_type: str = Field(min_length=1, max_length=32, description="text, image, voice, ...")
    content: str = Field(max_length=4000, description="The text; empty for other message types.")
    sent_at: Moment


class ChannelSenderSeen(EventData):
    """A member wrote to a WeChat app from an address cases links to no contact yet (once per
    sender, and again at most hourly on their messages while no contact is found). Contacts answers
    ``ChannelSenderIdentified`` when one of its contacts holds the openid or the unionid; the
    values are there for that look-up only (like ``ChannelAddress`` in every channel event)."""

    channel: ChannelAddress
    unionid: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="WeChat's unionid for the sender, when the app is bound to an Open Platform account.",
    )


class CasesExportPartWritten(EventData):
    """Cases' part of a PIPL export (contacts' ContactExportRequested) is in the file store at
    ``key`` (under the cases prefix); contacts assembles the bundle once every part is in."""

    job_id: Id
    contact_id: Id
    key: Key = Field(description="The part's file key in the file store (a JSON document).")
    items: ExportItems = Field(description="Records the part holds.")


EVENTS: dict[str, type[EventData]] = {
    "ChannelMessageReceived": ChannelMessageReceived,
    "ChannelSenderSeen": ChannelSenderSeen,
    "CaseOpened": CaseOpened,
    "CaseAssignmentChanged": CaseAssignmentChanged,
    "CaseStatusChanged": CaseStatusChanged,
    "CaseMessageAdded": CaseMessageAdded,
    "CaseReplyRequested": CaseReplyRequested,
    "CaseReplyDelivered": CaseReplyDelivered,
    "CaseReplyHeld": CaseReplyHeld,
    "CaseReplyFailed": CaseReplyFailed,
    "CaseSlaBreached": CaseSlaBreached,
    "CaseRated": CaseRated,
    "CasesExportPartWritten": CasesExportPartWritten,
}
