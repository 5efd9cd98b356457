"""What the cases API accepts and answers (built on first use, like the entities: see ``models``)."""

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from services.cases.models import (
    Agent,
    Article,
    Attachment,
    Availability,
    Case,
    CaseSettings,
    Csat,
    Delivery,
    HistoryLine,
    Message,
    Policy,
    QueueId,
    RoutingRule,
    SlaView,
    StaffId,
    Status,
    Subject,
    Tag,
)

# Re-exported (hence the alias): the sla-checks route answers it; it lives in models for the sweep.
from services.cases.models import SweepReport as SweepReport  # noqa: PLC0414
from shared.events.cases import CaseType, Priority
from shared.models import Model, Name, StrictModel, Text

Body = Annotated[Text, StringConstraints(min_length=1, max_length=2000)]
Description = Annotated[Text, StringConstraints(max_length=4000)]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
Brand = Annotated[Name, StringConstraints(max_length=64)]
MemberCaseType = Literal["complaint", "inquiry", "after_sales", "feedback"]


class MemberCaseCreate(StrictModel):
    type: MemberCaseType
    subject: Subject
    description: Description = ""
    order_id: ExternalId | None = None
    brand: Brand | None = None
    attachments: list[Attachment] = Field(default_factory=list, max_length=10)


class StaffCaseCreate(StrictModel):
    type: CaseType
    subject: Subject
    description: Description = ""
    priority: Priority = "normal"
    contact_id: ExternalId | None = None
    brand: Brand | None = None
    order_id: ExternalId | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    queue_id: QueueId | None = Field(default=None, description="Skip the routing rules and file it here.")
    attachments: list[Attachment] = Field(default_factory=list, max_length=10)


class CasePatch(StrictModel):
    """Any of: a status move, priority, tags, assignee (null = back to the queue), a queue transfer."""

    status: Literal["in_progress", "waiting_on_customer", "resolved", "closed"] | None = None
    priority: Priority | None = None
    tags: list[Tag] | None = Field(default=None, max_length=20)
    assignee: StaffId | None = None
    queue_id: QueueId | None = None
    reason: Annotated[Name, StringConstraints(max_length=500)] | None = None


class StaffMessageCreate(StrictModel):
    body: Body
    kind: Literal["reply", "note"] = Field(default="reply", description="reply: to the member; note: staff only.")
    attachments: list[Attachment] = Field(default_factory=list, max_length=10)


class MemberMessageCreate(StrictModel):
    body: Body
    attachments: list[Attachment] = Field(default_factory=list, max_length=10)


class CsatCreate(StrictModel):
    rating: int = Field(ge=1, le=5)
    comment: Annotated[Text, StringConstraints(max_length=1000)] | None = None


class AgentPut(StrictModel):
    queues: list[QueueId] = Field(default_factory=list, max_length=50)
    availability: Availability = "online"
    capacity: int = Field(default=5, ge=1, le=200)
    manager_id: StaffId | None = Field(default=None, description="Who reviews this agent's compliance cases.")


class AvailabilityPut(StrictModel):
    availability: Availability


class QueuePut(StrictModel):
    name: Subject
    policy: Policy = "round_robin"
    rank: int = Field(default=100, ge=0, le=10_000)
    rules: list[RoutingRule] = Field(default_factory=list, max_length=50)
    is_default: bool = False


class ArticleWrite(StrictModel):
    kind: Literal["article", "canned_reply"] = "article"
    title: Subject
    body: Annotated[Text, StringConstraints(min_length=1, max_length=20_000)]
    category: Annotated[Name, StringConstraints(max_length=64)] | None = None
    keywords: list[Tag] = Field(default_factory=list, max_length=30)
    auto_reply: bool = Field(default=False, description="Answer channel messages containing a keyword.")
    answer: Body | None = Field(default=None, description="The auto-reply's text (default: the body).")


class SettingsPut(CaseSettings):
    pass


class AppRegistration(StrictModel):
    kind: Literal["wechat_official_account", "wechat_mini_program"] = "wechat_official_account"
    token: Annotated[str, StringConstraints(min_length=3, max_length=32, pattern=r"^[A-Za-z0-9]+$")]
    encoding_aes_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{43}$")] | None = Field(
        default=None,
        repr=False,
        json_schema_extra={"writeOnly": True},
        description=(
            "The app's EncodingAESKey (43 letters and digits), write-only: with it the app's message "
            "callback takes WeChat's safe mode (encrypted) calls only. Never returned."
        ),
    )


class Handover(StrictModel):
    successor_id: StaffId | None = Field(
        default=None, description="Who takes the open cases; none: they go back to their queues."
    )


# ---- answers -------------------------------------------------------------------------------


class MessageView(Model):
    message_id: str
    kind: Literal["inbound", "outbound", "note"]
    author_kind: str
    author_id: str | None
    body: str
    attachments: list[Attachment]
    at: str
    delivery: Delivery | None

    @classmethod
    def of(cls, message: Message, *, for_member: bool = False) -> "MessageView":
        return cls(
            message_id=message.message_id,
            kind=message.kind,
            author_kind=message.author.kind,
            author_id=None if for_member and message.author.kind == "staff" else message.author.id,
            body=message.body,
            attachments=message.attachments,
            at=message.at,
            delivery=None if for_member else message.delivery,
        )


class CaseView(Model):
    case_id: str
    type: CaseType
    priority: Priority
    status: Status
    subject: str
    description: str
    contact_id: str | None
    brand: str | None
    channel: str | None
    intake: str
    queue_id: str | None
    assignee: str | None
    tags: list[str]
    order_id: str | None
    attachments: list[Attachment]
    created_at: str
    updated_at: str
    first_response_at: str | None
    resolved_at: str | None
    closed_at: str | None
    csat: Csat | None
    first_response_due_at: str | None
    resolution_due_at: str | None
    breached: list[str]
    version: int

    @classmethod
    def of(cls, case: Case) -> "CaseView":
        clock = case.sla
        return cls(
            **case.model_dump(exclude={"channel", "tenant_id", "opened_by", "subject_staff_id", "resolutions", "sla"}),
            channel=case.channel.kind if case.channel else None,
            first_response_due_at=clock.first_response_due_at if clock and not case.first_response_at else None,
            resolution_due_at=clock.resolution_due_at if clock else None,
        )


class CaseDetail(CaseView):
    messages: list[MessageView]
    history: list[HistoryLine]
    sla: SlaView | None


class CaseList(Model):
    items: list[CaseView]
    next_cursor: str | None


class MemberCaseView(Model):
    case_id: str
    type: CaseType
    status: Status
    subject: str
    description: str
    order_id: str | None
    attachments: list[Attachment]
    created_at: str
    updated_at: str
    resolved_at: str | None
    csat: Csat | None
    can_rate: bool

    @classmethod
    def of(cls, case: Case) -> "MemberCaseView":
        return cls(
            **case.model_dump(
                include={
                    "case_id",
                    "type",
                    "status",
                    "subject",
                    "description",
                    "order_id",
                    "attachments",
                    "created_at",
                    "updated_at",
                    "resolved_at",
                    "csat",
                }
            ),
            can_rate=case.rated_resolution_pending,
        )


class MemberCaseDetail(MemberCaseView):
    messages: list[MessageView]


class MemberCaseList(Model):
    items: list[MemberCaseView]
    next_cursor: str | None


class AgentView(Model):
    staff_id: str
    queues: list[str]
    availability: Availability
    capacity: int
    open_cases: int
    manager_id: str | None
    last_assigned_at: str | None

    @classmethod
    def of(cls, agent: Agent) -> "AgentView":
        return cls(**agent.model_dump(include=set(cls.model_fields)))


class QueueView(QueuePut):
    model_config = ConfigDict(extra="ignore")

    queue_id: str
    version: int


class QueueList(Model):
    items: list[QueueView]


class AgentList(Model):
    items: list[AgentView]


class ArticleView(ArticleWrite):
    model_config = ConfigDict(extra="ignore")

    article_id: str
    created_at: str
    updated_at: str
    version: int

    @classmethod
    def of(cls, article: Article) -> "ArticleView":
        return cls.model_validate(article.model_dump())


class ArticleList(Model):
    items: list[ArticleView]


class SearchHit(Model):
    article: ArticleView
    score: int


class SearchResults(Model):
    items: list[SearchHit]

    @classmethod
    def of(cls, found: list[tuple[Article, int]]) -> "SearchResults":
        return cls(items=[SearchHit(article=ArticleView.of(article), score=score) for article, score in found])


class HandoverReport(Model):
    staff_id: str
    successor_id: str | None
    moved: int


class AppView(Model):
    app_id: str
    kind: str


class DeliveryRecord(Model):
    channel: str
    message_id: str
    body: str
    at: str


class DeliveryList(Model):
    items: list[DeliveryRecord]


# ---- statistics ----------------------------------------------------------------------------


class CsatFigures(Model):
    responses: int
    average: float | None
    distribution: dict[int, int]


class Figures(Model):
    cases: int
    resolved: int
    first_response_median_minutes: float | None
    resolution_median_minutes: float | None
    sla_hit_rate: float | None
    csat: CsatFigures


class AgentFigures(Figures):
    open_cases: int


class Stats(Model):
    period_days: int
    open_by_status: dict[str, int]
    open_by_queue: dict[str, int]
    overall: Figures
    per_agent: dict[str, AgentFigures]
