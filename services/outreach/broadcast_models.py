"""Broadcasts (群发): entities and API models."""

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, model_validator

from services.outreach.models import Channel
from shared.models import Model, Name, StrictModel

BroadcastStatus = Literal["scheduled", "planning", "sending", "completed", "cancelled"]
DispatchStatus = Literal["requested", "pending", "confirmed", "expired", "failed"]
RecordId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]
MAX_LISTED_CONTACTS = 1000
"""A broadcast to more contacts than this names a segment (a static list is one)."""


class BroadcastAudience(StrictModel):
    """Who a broadcast reaches: a segment, a list of contacts, or (a WeCom group broadcast) the
    customer groups of some staff members; with which template, on which channel and when."""

    channel: Channel
    template_id: RecordId
    segment_id: RecordId | None = None
    contact_ids: Annotated[list[RecordId], Field(min_length=1, max_length=MAX_LISTED_CONTACTS)] | None = None
    staff_ids: Annotated[list[RecordId], Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="A wecom_group broadcast: the staff members whose customer groups it reaches."
    )
    send_at: AwareDatetime | None = Field(default=None, description="When to send; now when absent. Never past.")

    @model_validator(mode="after")
    def _one_audience(self) -> "BroadcastAudience":
        chosen = [name for name in ("segment_id", "contact_ids", "staff_ids") if getattr(self, name) is not None]
        wanted = "staff_ids" if self.channel == "wecom_group" else "segment_id or contact_ids"
        if len(chosen) != 1 or (self.channel == "wecom_group") != (chosen == ["staff_ids"]):
            raise ValueError(f"a {self.channel} broadcast names exactly one audience: {wanted}")
        return self


class BroadcastCreate(BroadcastAudience):
    name: Annotated[Name, Field(max_length=100)]
    tracked_code: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")] | None = Field(
        default=None, description="A channel code the message links to: its conversions within 7 days are counted."
    )


class BroadcastChange(BroadcastCreate):
    version: Annotated[int, Field(ge=1, le=1_000_000_000)]


class BroadcastStats(Model):
    targeted: int = 0
    skipped: dict[str, int] = Field(default_factory=dict, description="Skipped contacts by reason.")
    queued: int = Field(default=0, description="Planned to send (counted in their caps).")
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    conversions: int = 0


class Broadcast(Model):
    tenant_id: str
    broadcast_id: str
    name: str
    channel: Channel
    template_id: str
    template: dict[str, Any] = Field(description="The template as it was when the broadcast was made.")
    segment_id: str | None = None
    contact_ids: list[str] | None = None
    staff_ids: list[str] | None = None
    send_at: str | None = None
    scheduled_for: str
    tracked_code: str | None = None
    status: BroadcastStatus
    step: int = 0
    phase: Literal["audience", "dispatch"] = Field(
        default="audience", description="Planning its audience, then (WeCom) handing it to WeCom."
    )
    cursor: str | None = None
    open_dispatches: int = 0
    stats: BroadcastStats = Field(default_factory=BroadcastStats)
    created_by: str
    created_at: str
    updated_at: str
    sent_at: str | None = None
    version: int = 1


class BroadcastView(Model):
    broadcast_id: str
    name: str
    channel: Channel
    template_id: str
    segment_id: str | None
    contact_ids: list[str] | None
    staff_ids: list[str] | None
    send_at: str | None
    scheduled_for: str = Field(description="When it goes: send_at (or its creation), after quiet hours.")
    tracked_code: str | None
    status: BroadcastStatus
    stats: BroadcastStats
    created_by: str
    created_at: str
    updated_at: str
    sent_at: str | None
    version: int

    @classmethod
    def of(cls, broadcast: Broadcast) -> "BroadcastView":
        return cls.model_validate(broadcast.model_dump(include=set(cls.model_fields)))


class BroadcastList(Model):
    items: list[BroadcastView]
    next_cursor: str | None


STAFF_NAME_DESCRIPTION = "The staff member's name as outreach knows it; None when unknown."


class StaffShare(Model):
    staff_id: str
    staff_name: str | None = Field(description=STAFF_NAME_DESCRIPTION)
    recipients: int


class BroadcastPreview(Model):
    """What a broadcast would do now: its audience after consent, caps and reachability."""

    targeted: int
    reachable: int
    skipped: dict[str, int]
    by_staff: list[StaffShare] = Field(description="WeCom: recipients per sending staff member (each confirms).")
    scheduled_for: str


class Dispatch(Model):
    """One staff member's share of a WeCom broadcast (or one part of it: 10,000 recipients each)."""

    tenant_id: str
    broadcast_id: str
    dispatch_id: str
    staff_id: str
    corp_id: str
    recipients: int
    status: DispatchStatus
    msgid: str | None = None
    rejected: int = 0
    delivered: int = 0
    failed: int = 0
    unsent: int = 0
    reason: str | None = None
    polled_at: str | None = None
    final: bool = Field(
        default=False, description="Nothing more will change (counted out of the broadcast's open ones)."
    )
    created_at: str
    updated_at: str


class DispatchView(Model):
    staff_id: str
    staff_name: str | None = Field(description=STAFF_NAME_DESCRIPTION)
    recipients: int
    status: DispatchStatus
    rejected: int
    delivered: int
    failed: int
    unsent: int
    reason: str | None
    updated_at: str

    @classmethod
    def of(cls, dispatch: Dispatch, staff_name: str | None) -> "DispatchView":
        fields = dispatch.model_dump(include=set(cls.model_fields))
        return cls.model_validate({**fields, "staff_name": staff_name})


class DispatchList(Model):
    items: list[DispatchView]
    next_cursor: str | None
