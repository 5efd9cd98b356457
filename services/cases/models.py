"""The cases service's entities: cases, their thread and history, agents and queues, each tenant's
settings, the contact directory and the knowledge base. Logic and the DAL both speak these.

Every model defers building its validator to its first use (``defer_build``): a function builds
only the models its own requests touch, not all of them at import (cold start). Annotations are
evaluated as the classes are defined (no ``from __future__ import annotations``): pydantic would
otherwise compile and evaluate each field's annotation string, about 5 ms of the cases API's cold
start over this module and ``api_models``.
"""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Literal, NamedTuple

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema, field_validator, model_validator

from shared.events.cases import CaseStatus, CaseType, ChannelAddress, Intake, Priority
from shared.models import HOME_ZONE, Model, Name, StrictModel, ZoneName

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

Subject = Annotated[Name, StringConstraints(max_length=200)]
StaffId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]
QueueId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Tag = Annotated[Name, StringConstraints(max_length=40)]
Keyword = Annotated[Name, StringConstraints(max_length=40)]
BrandName = Annotated[Name, StringConstraints(max_length=64)]


def _no_offset(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a local time of day, without an offset")
    return value


# A local time of day, "09:00" or "09:00:00", in the tenant's zone: no offset (it would be compared
# with times that have none). Documented as a pattern: JSON Schema's "time" format requires an offset.
LocalTime = Annotated[
    time,
    AfterValidator(_no_offset),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "examples": ["09:00"],
        }
    ),
]
Availability = Literal["online", "away", "offline"]
Policy = Literal["round_robin", "least_loaded"]
MessageKind = Literal["inbound", "outbound", "note"]
ActorKind = Literal["member", "staff", "system"]
DeliveryStatus = Literal["requested", "sending", "delivered", "held", "failed"]
Status = CaseStatus
MAX_CALENDAR_DAYS = 3 * 366  # no target runs further than this; a calendar with no working day fails loudly


class HistoryLine(Model):
    """One recorded move: who, when, from what to what, and why."""

    at: str
    actor_kind: ActorKind
    actor_id: str
    from_status: Status
    to_status: Status
    reason: str | None = None


class BusinessHours(StrictModel):
    """A tenant's working hours, in its time zone, without its holidays (see ``logic.business_time``)."""

    time_zone: ZoneName = HOME_ZONE
    opens: LocalTime = time(9, 0)
    closes: LocalTime = time(18, 0)
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4], max_length=7, description="Working days, 0 = Monday."
    )
    holidays: list[date] = Field(default_factory=list, max_length=366)

    @model_validator(mode="after")
    def _a_working_window(self) -> "BusinessHours":
        if self.closes <= self.opens or not self.weekdays:
            raise ValueError("business hours need a working day and close after they open")
        return self

    def windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows (aware, in the tenant's zone) from ``start``'s local day onwards."""
        zone = _zone(self.time_zone)
        day = start.astimezone(zone).date()
        for offset in range(MAX_CALENDAR_DAYS):
            current = day + timedelta(days=offset)
            if current.weekday() in self.weekdays and current not in self.holidays:
                yield datetime.combine(current, self.opens, zone), datetime.combine(current, self.closes, zone)
        raise ValueError("no working time within three years")


def _zone(name: str) -> "ZoneInfo":
    # zoneinfo (about 2.5 ms of a cold start) is imported by the writes that compute business time,
    # not by every function that reads a case.
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


class Attachment(StrictModel):
    """A reference to a file kept elsewhere (the upload store); the case keeps only its key."""

    key: Annotated[Name, StringConstraints(max_length=512)]
    name: Annotated[Name, StringConstraints(max_length=200)]
    content_type: Annotated[
        str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$")
    ] = "application/octet-stream"


class Actor(Model):
    kind: ActorKind
    id: str


class Delivery(Model):
    status: DeliveryStatus
    reason: str | None = None
    at: str


class Message(Model):
    message_id: str
    kind: MessageKind
    author: Actor
    body: str
    attachments: list[Attachment] = Field(default_factory=list)
    at: str
    delivery: Delivery | None = None  # outbound messages only


class Csat(Model):
    rating: int
    comment: str | None = None
    resolution: int
    at: str


class SlaClock(Model):
    """See ``logic.sla``: targets in business minutes, time used before the last stop, due times."""

    first_response_target: int
    resolution_target: int
    used_minutes: int = 0
    running_since: str | None = None
    first_response_due_at: str | None = None
    resolution_due_at: str | None = None


class SlaView(Model):
    """A case's SLA as of a moment: due times and the business minutes left (negative: overdue)."""

    first_response_due_at: str | None
    resolution_due_at: str | None
    first_response_remaining_minutes: int | None
    resolution_remaining_minutes: int | None
    paused: bool
    breached: list[str]


class Case(Model):
    tenant_id: str
    case_id: str
    type: CaseType
    priority: Priority = "normal"
    status: Status = "new"
    subject: str
    description: str = ""
    contact_id: str | None = None
    brand: str | None = None
    channel: ChannelAddress | None = None
    intake: Intake
    opened_by: Actor
    queue_id: str | None = None
    assignee: str | None = None
    tags: list[str] = Field(default_factory=list)
    order_id: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    subject_staff_id: str | None = None  # compliance cases: the staff member whose conduct is reviewed
    created_at: str
    updated_at: str
    first_response_at: str | None = None
    resolved_at: str | None = None
    closed_at: str | None = None
    close_due_at: str | None = None  # resolved: closed automatically at this time unless reopened
    resolutions: int = 0
    csat: Csat | None = None
    sla: SlaClock | None = None
    erased_at: str | None = None  # the contact's personal data was erased from this case
    breached: list[Literal["first_response", "resolution"]] = Field(default_factory=list)
    version: int = 1

    @property
    def is_open(self) -> bool:
        return self.status in ("new", "assigned", "in_progress", "waiting_on_customer")

    @property
    def rated_resolution_pending(self) -> bool:
        """Resolved (or closed after a resolution) and this resolution not rated yet."""
        resolved = self.status in ("resolved", "closed") and self.resolutions > 0
        return resolved and (self.csat is None or self.csat.resolution != self.resolutions)

    def sla_pending(self) -> dict[str, str]:
        """The SLA targets still to meet while the clock runs, with their due times."""
        clock = self.sla
        if clock is None or clock.running_since is None or not self.is_open:
            return {}
        found = {}
        if clock.first_response_due_at and self.first_response_at is None and "first_response" not in self.breached:
            found["first_response"] = clock.first_response_due_at
        if clock.resolution_due_at and "resolution" not in self.breached:
            found["resolution"] = clock.resolution_due_at
        return found


class SweepReport(Model):
    """What an SLA sweep did: an answer of the API's sla-checks route and the scheduled function's
    result. Kept here rather than with the API's models so that the scheduled function does not
    build those (about 14 ms of its cold start)."""

    breaches: int = 0
    closed: int = 0


class CaseRecord(Model):
    """A case with its thread and history, as one read of its partition gives them."""

    case: Case
    messages: list[Message] = Field(default_factory=list)
    history: list[HistoryLine] = Field(default_factory=list)


class Agent(Model):
    tenant_id: str
    staff_id: str
    queues: list[str] = Field(default_factory=list)
    availability: Availability = "offline"
    capacity: int = 5
    open_cases: int = 0  # cases held now: assigned, in progress or waiting on the customer
    assigned_total: int = 0  # every assignment ever: the round robin's turn and a race guard
    last_assigned_at: str | None = None
    manager_id: str | None = None
    version: int = 1

    def can_take(self, queue_id: str) -> bool:
        return self.availability == "online" and queue_id in self.queues and self.open_cases < self.capacity


class RoutingRule(StrictModel):
    """Matches a case when every given condition holds (an empty rule matches everything)."""

    types: list[CaseType] = Field(default_factory=list, max_length=5)
    keywords: list[Keyword] = Field(default_factory=list, max_length=50)
    brands: list[BrandName] = Field(default_factory=list, max_length=50)


class Queue(Model):
    tenant_id: str
    queue_id: str
    name: str
    policy: Policy = "round_robin"
    rank: int = 100  # rules of lower ranks are tried first
    rules: list[RoutingRule] = Field(default_factory=list)
    is_default: bool = False  # where cases no rule matches go
    version: int = 1


class KeywordRule(StrictModel):
    """An inbound channel message containing one of the words opens a case (or joins the open one)."""

    keywords: list[Keyword] = Field(min_length=1, max_length=50)
    type: CaseType = "complaint"
    priority: Priority = "normal"


class SensitiveWords(StrictModel):
    words: list[Keyword] = Field(default_factory=list, max_length=500)
    action: Literal["flag", "block"] = "flag"  # block: the message is not sent


class SlaTarget(StrictModel):
    first_response_minutes: int = Field(ge=1, le=60 * 24 * 60)
    resolution_minutes: int = Field(ge=1, le=60 * 24 * 60)


def _default_sla() -> dict[Priority, SlaTarget]:
    return {
        "urgent": SlaTarget(first_response_minutes=30, resolution_minutes=240),
        "high": SlaTarget(first_response_minutes=60, resolution_minutes=480),
        "normal": SlaTarget(first_response_minutes=240, resolution_minutes=1440),
        "low": SlaTarget(first_response_minutes=480, resolution_minutes=2880),
    }


class CaseSettings(StrictModel):
    """A tenant's case handling: channel keywords, sensitive words, SLA targets, hours, CSAT."""

    keyword_rules: list[KeywordRule] = Field(default_factory=list, max_length=50)
    sensitive_words: SensitiveWords = Field(default_factory=SensitiveWords)
    sla: dict[Priority, SlaTarget] = Field(default_factory=_default_sla)
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    auto_close_days: int = Field(default=7, ge=1, le=90)
    reopen_on_rating_at_most: int = Field(default=2, ge=0, le=5, description="0: a low rating never reopens.")
    version: int = Field(default=0, ge=0, le=2**53)

    @field_validator("sla")
    @classmethod
    def _every_priority(cls, given: dict[Priority, SlaTarget]) -> dict[Priority, SlaTarget]:
        """Priorities left out keep their default targets."""
        return _default_sla() | given


class Routing(Model):
    """What routing a new case needs, read in one query: queues, agents and settings."""

    queues: list[Queue] = Field(default_factory=list)
    agents: list[Agent] = Field(default_factory=list)
    settings: CaseSettings = Field(default_factory=CaseSettings)


class Article(Model):
    """A knowledge-base article or a canned reply; with ``auto_reply`` its ``answer`` is sent to a
    channel message containing one of its keywords."""

    tenant_id: str
    article_id: str
    kind: Literal["article", "canned_reply"] = "article"
    title: str
    body: str
    category: str | None = None
    keywords: list[str] = Field(default_factory=list)
    auto_reply: bool = False
    answer: str | None = None  # the auto-reply's text; the body when absent
    created_at: str
    updated_at: str
    version: int = 1


class DirectoryEntry(Model):
    """Who owns a contact, per brand ("*": every brand), as the contacts service last said, and
    which contact it was merged into, if any."""

    tenant_id: str
    contact_id: str
    owners: dict[str, str] = Field(default_factory=dict)
    owner_versions: dict[str, int] = Field(default_factory=dict)
    erased_version: int = 0
    merged_into: str | None = Field(
        default=None, description="The contact this one was merged into (ContactsMerged): its cases live there."
    )


class ChannelSender(Model):
    """A WeChat app's sender as cases knows them: when it last asked contacts who they are
    (``ChannelSenderSeen``) and the contact contacts answered, once it has."""

    asked_at: int | None = Field(default=None, description="Epoch seconds of the last ask.")
    contact_id: str | None = None


class WechatMessage(Model):
    """A member's message as WeChat's callback posts it."""

    openid: str
    msg_type: str
    content: str
    msg_id: str
    sent_at: str


class CaseFilters(NamedTuple):
    """What a staff listing of cases may be narrowed to. A named tuple rather than a frozen
    dataclass: building a dataclass costs about half a millisecond of a cold start."""

    status: str | None = None
    queue_id: str | None = None
    assignee: str | None = None
    priority: str | None = None
    breached: bool | None = None
    contact_id: str | None = None
