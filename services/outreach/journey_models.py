"""Journeys (SOP, automated nurture): the versioned graph a contact walks, and its API models.

A journey has a trigger (what enrolls a contact), an entry step and steps: wait, branch, send,
tag, award points, create a staff task, exit. The graph is checked when saved
(``logic/journey_graph.py``): unknown or unreachable steps, a cycle that never waits, a step that
can never reach an exit, or more than 100 steps are refused, naming the step.
"""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from services.outreach.models import ClockTime
from shared.models import Model, Name, StrictModel, Text, name_pattern

MAX_STEPS = 100
StepId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
RecordId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Minutes = Annotated[int, Field(ge=1, le=366 * 24 * 60)]
Label = Annotated[str, Field(min_length=1, max_length=128)]
Number = Annotated[int, Field(ge=-(10**12), le=10**12)]
TagName = Annotated[Name, StringConstraints(max_length=64, pattern=name_pattern("#/"))]
"""A tag as contacts accepts it (its ``Tag`` rule): one refused there could never be applied."""

TriggerEvent = Literal[
    "ContactCreated",
    "WeComCustomerIdentified",
    "CampaignConversionRecorded",
    "OrderBuyerIdentified",
    "PointsExpiring",
    "CaseStatusChanged",
    "TierChanged",
]
"""Facts a journey may start from (and wait for, branch on, or take as its goal)."""


class EventMatch(StrictModel):
    """An event of a type whose data fields equal ``where`` (e.g. CaseStatusChanged where
    to_status = resolved)."""

    event: TriggerEvent
    where: dict[Label, Annotated[str, Field(max_length=200)] | Number | bool] = Field(
        default_factory=dict, max_length=10
    )


class EventTrigger(StrictModel):
    kind: Literal["event"]
    match: EventMatch


class SegmentTrigger(StrictModel):
    kind: Literal["segment_entered"]
    segment_id: RecordId


class LifecycleTrigger(StrictModel):
    kind: Literal["lifecycle_changed"]
    to_stage: Literal["new", "growing", "mature", "dormant", "churned"]


class DateTrigger(StrictModel):
    """Each year on the contact's date (the birthday) at ``at`` in the tenant's time zone."""

    kind: Literal["date"]
    attribute: Literal["birthday"] = "birthday"
    at: ClockTime = "09:00"


Trigger = Annotated[EventTrigger | SegmentTrigger | LifecycleTrigger | DateTrigger, Field(discriminator="kind")]


class WaitStep(StrictModel):
    """Wait a duration, until a time of day, or until an event (then ``next``; ``timeout_next``
    when the event did not come within ``timeout_minutes``)."""

    type: Literal["wait"]
    id: StepId
    minutes: Minutes | None = None
    until_time: ClockTime | None = None
    until_event: EventMatch | None = None
    timeout_minutes: Minutes | None = None
    next: StepId
    timeout_next: StepId | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "WaitStep":
        kinds = [self.minutes is not None, self.until_time is not None, self.until_event is not None]
        if sum(kinds) != 1:
            raise ValueError("a wait has exactly one of minutes, until_time or until_event")
        if self.until_event is not None and (self.timeout_minutes is None or self.timeout_next is None):
            raise ValueError("a wait for an event needs timeout_minutes and timeout_next")
        if self.until_event is None and (self.timeout_minutes is not None or self.timeout_next is not None):
            raise ValueError("only a wait for an event has a timeout")
        return self

    def targets(self) -> list[str]:
        return [self.next, *([self.timeout_next] if self.timeout_next else [])]


class SegmentCondition(StrictModel):
    kind: Literal["segment"]
    segment_id: RecordId


class AttributeCondition(StrictModel):
    kind: Literal["attribute"]
    attribute: Literal["lifecycle_stage", "tag", "points_balance", "has_wecom_friend"]
    op: Literal["eq", "ne", "gte", "lte", "has"] = "eq"
    value: Annotated[str, Field(max_length=128)] | Number | bool


class EventCondition(StrictModel):
    """Whether the event happened since the contact entered the journey."""

    kind: Literal["event"]
    match: EventMatch


Condition = Annotated[SegmentCondition | AttributeCondition | EventCondition, Field(discriminator="kind")]


class BranchStep(StrictModel):
    type: Literal["branch"]
    id: StepId
    condition: Condition
    yes: StepId
    no: StepId

    def targets(self) -> list[str]:
        return [self.yes, self.no]


class SendStep(StrictModel):
    type: Literal["send"]
    id: StepId
    template_id: RecordId
    next: StepId

    def targets(self) -> list[str]:
        return [self.next]


class TagStep(StrictModel):
    type: Literal["tag"]
    id: StepId
    tag: TagName
    action: Literal["add", "remove"] = "add"
    next: StepId

    def targets(self) -> list[str]:
        return [self.next]


class AwardPointsStep(StrictModel):
    type: Literal["award_points"]
    id: StepId
    points: Annotated[int, Field(ge=1, le=1_000_000)]
    next: StepId

    def targets(self) -> list[str]:
        return [self.next]


class TaskStep(StrictModel):
    """A task for the contact's owner staff member (the guide calls, visits, sends by hand)."""

    type: Literal["task"]
    id: StepId
    title: Annotated[Name, Field(max_length=100)]
    note: Annotated[Text, Field(max_length=2000)] | None = None
    template_id: RecordId | None = Field(default=None, description="A suggested message for the task.")
    due_in_minutes: Minutes = 24 * 60
    next: StepId

    def targets(self) -> list[str]:
        return [self.next]


class ExitStep(StrictModel):
    type: Literal["exit"]
    id: StepId

    def targets(self) -> list[str]:
        return []


Step = Annotated[
    WaitStep | BranchStep | SendStep | TagStep | AwardPointsStep | TaskStep | ExitStep, Field(discriminator="type")
]


class Reentry(StrictModel):
    mode: Literal["once", "after_days"] = "once"
    days: Annotated[int, Field(ge=1, le=3650)] | None = None

    @model_validator(mode="after")
    def _days(self) -> "Reentry":
        if (self.mode == "after_days") != (self.days is not None):
            raise ValueError("days is given exactly when mode is after_days")
        return self


class JourneyDefinition(StrictModel):
    """What staff write: the graph and its rules. Saved as a new version of its journey."""

    name: Annotated[Name, Field(max_length=100)]
    trigger: Trigger
    entry: StepId
    steps: Annotated[list[Step], Field(min_length=1, max_length=1000)]
    reentry: Reentry = Field(default_factory=Reentry)
    goal: EventMatch | None = Field(default=None, description="Reaching it exits the contact and counts a conversion.")


JourneyStatus = Literal["draft", "live", "paused"]


class JourneyChange(JourneyDefinition):
    """A new version of a journey's graph; ``version`` is the journey record's, as read."""

    version: Annotated[int, Field(ge=1, le=1_000_000_000)]


class JourneyVersion(Model):
    journey_id: str
    version: int
    definition: JourneyDefinition
    created_by: str
    created_at: str


class Journey(Model):
    """A journey: its name, status and versions (the live one enrolls; enrolled contacts finish
    on the version they entered)."""

    tenant_id: str
    journey_id: str
    name: str
    status: JourneyStatus
    latest_version: int
    created_by: str
    created_at: str
    updated_at: str
    version: int = Field(default=1, description="The record's own version (optimistic concurrency).")


class JourneyView(Model):
    journey_id: str
    name: str
    status: JourneyStatus
    latest_version: int
    definition: JourneyDefinition = Field(description="The latest version's graph.")
    created_by: str
    created_at: str
    updated_at: str
    version: int = Field(description="The journey record's version: a PUT names it (409 when stale).")

    @classmethod
    def of(cls, journey: Journey, definition: JourneyDefinition) -> "JourneyView":
        return cls.model_validate({**journey.model_dump(include=set(cls.model_fields)), "definition": definition})


class JourneyList(Model):
    items: list[JourneyView]
    next_cursor: str | None


class JourneyVersionList(Model):
    items: list[JourneyVersion]
    next_cursor: str | None


EnrollmentState = Literal["active", "waiting", "exited", "converted"]


class Enrollment(Model):
    """One contact in one version of a journey: where it is, and since when. ``seq`` counts the
    steps taken: every step's transaction is conditioned on it, so a redelivered tick or event
    never takes a step twice."""

    tenant_id: str
    contact_id: str
    journey_id: str
    journey_version: int
    run: int = 1
    step_id: str
    seq: int = 0
    state: EnrollmentState = "active"
    due_at: str | None = None
    awaiting: str | None = Field(default=None, description="The event type a wait for an event waits for.")
    seen: list[dict[str, str | int | bool]] = Field(
        default_factory=list, description="Facts seen since entry (a branch asks whether one happened)."
    )
    failures: int = Field(default=0, description="Tries of the step at ``failing_seq`` that raised.")
    failing_seq: int | None = Field(default=None, description="The step (by seq) the failures are of.")
    error: str | None = Field(default=None, description="Why the contact left the journey early (a failing step).")
    entered_at: str
    updated_at: str


class StepStats(Model):
    step_id: str
    entered: int = 0
    waiting: int = 0
    passed: int = 0
    exited: int = 0


class JourneyStats(Model):
    journey_id: str
    journey_version: int
    enrolled: int
    active: int
    exited: int
    converted: int
    steps: list[StepStats]


class JourneyTemplate(Model):
    key: str
    name: str
    description: str
    definition: JourneyDefinition


class JourneyTemplateList(Model):
    items: list[JourneyTemplate]
