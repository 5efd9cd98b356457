"""Segments: the rule language, the segment as stored and as shown.

A rule is JSON: ``{"and": [rule, …]}``, ``{"or": [rule, …]}``, ``{"not": rule}`` or a condition
``{"field": F, "op": OP, "value": V}``. The shape is checked here; which fields exist, which ops
and values each takes, and whether a tag or attribute is known to the tenant is checked by
``logic/segment_rules.py`` (422 at the condition's ``loc``).
"""

from typing import Annotated, Literal, Union

from pydantic import ConfigDict, Field, StringConstraints

from shared.models import Model, Name, StrictModel, Text

MAX_DEPTH = 5
MAX_CONDITIONS = 50
MAX_SEGMENTS = 100  # per tenant: a contact change evaluates them all, read with one query
MAX_STATIC_IDS = 1000  # contact ids per static-segment request

SegmentOp = Literal["eq", "ne", "in", "gt", "gte", "lt", "lte", "has"]
SegmentName = Annotated[Name, StringConstraints(max_length=100)]
ConditionText = Annotated[Name, StringConstraints(max_length=200)]
ConditionNumber = Annotated[int, Field(ge=-(10**15), le=10**15)]
ConditionScalar = ConditionText | ConditionNumber | bool
ConditionValue = ConditionScalar | Annotated[list[ConditionScalar], Field(min_length=1, max_length=100)]


class _Strict(StrictModel):
    model_config = ConfigDict(str_strip_whitespace=True, populate_by_name=True)


class Condition(_Strict):
    field: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="tag, lifecycle, rfm_group, lead_grade, lead_score, points_tier, points_balance, "
        "owner_staff_id, source.campaign_id, source.channel, source.staff_id, brand, last_active_days, "
        "attributes.<name>."
    )
    op: SegmentOp
    value: ConditionValue


class AllOf(_Strict):
    all_of: list["Rule"] = Field(alias="and", min_length=1, max_length=MAX_CONDITIONS)


class AnyOf(_Strict):
    any_of: list["Rule"] = Field(alias="or", min_length=1, max_length=MAX_CONDITIONS)


class NoneOf(_Strict):
    none_of: "Rule" = Field(alias="not")


Rule = Union[AllOf, AnyOf, NoneOf, Condition]  # noqa: UP007 - a forward-referenced recursive union
AllOf.model_rebuild()
AnyOf.model_rebuild()
NoneOf.model_rebuild()

SegmentKind = Literal["dynamic", "static"]
SegmentStatus = Literal["backfilling", "ready"]


class SegmentWrite(_Strict):
    name: SegmentName
    description: Annotated[Text, StringConstraints(max_length=500)] = ""
    kind: SegmentKind = "dynamic"
    rule: Rule | None = Field(default=None, description="Required for a dynamic segment; none for a static one.")
    contact_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=MAX_STATIC_IDS, description="A static segment's first members."
    )


class Segment(Model):
    segment_id: str
    name: str
    description: str = ""
    kind: SegmentKind
    rule: dict[str, object] | None = Field(default=None, description="As written (JSON).")
    status: SegmentStatus
    backfill_job_id: str | None = None
    created_by: str
    created_at: str
    updated_at: str
    version: int = 1


class SegmentView(Segment):
    count: int = Field(description="Members now (kept current incrementally; one read).")


class SegmentList(Model):
    items: list[SegmentView]


class SegmentMember(Model):
    contact_id: str
    entered_at: str


class SegmentMembers(Model):
    items: list[SegmentMember]
    next_cursor: str | None


class RulePreview(_Strict):
    rule: Rule


class PreviewAnswer(Model):
    sampled: int = Field(description="Contacts evaluated (the tenant's first ones, by id).")
    matched: int
    share: float = Field(description="matched / sampled: the estimate of the segment's share.")
    sample: list[str] = Field(description="Ids of up to 20 matching contacts.")
    complete: bool = Field(description="True when every contact of the tenant was evaluated (exact).")


class StaticMembers(_Strict):
    add: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=MAX_STATIC_IDS
    )
    remove: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=MAX_STATIC_IDS
    )


class SegmentTemplate(Model):
    key: str
    name: str
    description: str
    rule: dict[str, object]


class SegmentTemplateList(Model):
    items: list[SegmentTemplate]
