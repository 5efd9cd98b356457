"""Tag groups, auto-tag rules, and the fact conditions they are written with (input, output and
the stored entities).

A ``FactCondition`` ({field, op, value}) is matched against one timeline fact: ``field`` names a
key of its summary (``TimelineEntry.summary``), ``op`` compares. Lead scoring reuses it: what it
can say is general on purpose. The model checks the shape (which ops take which values); which
fields a fact type has, and of which type, is checked by ``logic.fact_rules`` against the facts'
contracts.
"""

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from services.contacts.models import Tag, TimelineType
from shared.models import Model, Name, StrictModel

MAX_GROUP_TAGS = 40  # a group's writes (itself, its tags' claims, those it releases) fit one transaction
MAX_GROUPS = 100  # per tenant: the listing is one query
MAX_RULES = 100  # per tenant: a fact's rules are one query
MAX_CONDITIONS = 50
MAX_RULE_TAGS = 10
MAX_VALUES = 20  # the values of one ``in``

FactOp = Literal["eq", "ne", "in", "gt", "gte", "lt", "lte", "has"]
ORDERING_OPS = frozenset({"gt", "gte", "lt", "lte"})
# A summary key: lower-case words joined by "_" (amount_fen, to_status, categories).
FactField = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
ConditionText = Annotated[Name, StringConstraints(max_length=100)]
ConditionNumber = Annotated[int, Field(ge=-(10**15), le=10**15)]
ConditionScalar = ConditionText | ConditionNumber | bool
ConditionValue = ConditionScalar | Annotated[list[ConditionScalar], Field(min_length=1, max_length=MAX_VALUES)] | None
GroupName = Annotated[Name, StringConstraints(max_length=64)]
RuleName = Annotated[Name, StringConstraints(max_length=100)]
# Facts no auto-tag rule may follow: a tag set by a rule is itself a fact, and rules on tags
# could chase each other (A → B → A in a single-choice group) for ever.
NOT_TRIGGERS = frozenset({"ContactTagged", "ContactUntagged"})


class _Strict(StrictModel):
    model_config = ConfigDict(str_strip_whitespace=True)


def _unique(tags: list[str]) -> list[str]:
    seen: set[str] = set()
    for tag in tags:
        if tag in seen:
            raise ValueError(f"the tag {tag!r} is listed twice")
        seen.add(tag)
    return tags


class FactCondition(_Strict):
    """One test on a fact's summary. ``eq``/``ne``: equal or not (null: the fact lacks the field);
    ``in``: one of the values (a list field: shares one); ``gt``, ``gte``, ``lt``, ``lte``: a
    number field compared; ``has``: a list field holds the value. A fact that lacks the field
    meets only ``ne`` (and ``eq`` null)."""

    field: FactField = Field(description="A key of the fact's summary, e.g. categories, amount_fen, rating.")
    op: FactOp
    value: ConditionValue = Field(description="in: a list; gt/gte/lt/lte: a number; eq/ne/has: one value.")

    @field_validator("value")
    @classmethod
    def _fits_the_op(cls, value: object, info: ValidationInfo) -> object:
        op = info.data.get("op")  # absent when the op itself was refused
        if op == "in" and not isinstance(value, list):
            raise ValueError("in takes a list of values")
        if op in ORDERING_OPS and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{op} takes a number")
        if op in ("eq", "ne", "has") and isinstance(value, list):
            raise ValueError(f"{op} takes one value, not a list")
        if op == "has" and value is None:
            raise ValueError("has takes a value")
        return value


# Tag groups -------------------------------------------------------------------------------------
class TagGroupWrite(_Strict):
    name: GroupName = Field(description="e.g. 兴趣, 肤质, 会员等级.")
    single_choice: bool = Field(
        default=False, description="A contact holds at most one of its tags: setting one removes the others."
    )
    tags: list[Tag] = Field(
        min_length=1, max_length=MAX_GROUP_TAGS, description="Its tags; a tag belongs to one group of the tenant."
    )

    _tags_unique = field_validator("tags")(_unique)


class TagGroup(Model):
    group_id: str
    name: str
    single_choice: bool
    tags: list[str]
    created_at: str
    updated_at: str
    version: int = 1


class TagGroupList(Model):
    items: list[TagGroup] = Field(description="Every group of the tenant, oldest first.")


class TagClaim(Model):
    """Which group a tag belongs to, with what a tag change needs of the group (one read)."""

    tag: str
    group_id: str
    single_choice: bool
    tags: list[str] = Field(description="Every tag of the group, this one included.")
    group_version: int


# Auto-tag rules ---------------------------------------------------------------------------------
class TagRuleWrite(_Strict):
    name: RuleName
    on: TimelineType = Field(description="The fact type it follows (OrderPaid, CaseRated, PointsAwarded…).")
    when: list[FactCondition] = Field(
        default_factory=list, max_length=MAX_CONDITIONS, description="Conditions that must all hold (none: always)."
    )
    add_tags: list[Tag] = Field(min_length=1, max_length=MAX_RULE_TAGS)
    enabled: bool = True

    _tags_unique = field_validator("add_tags")(_unique)

    @field_validator("on")
    @classmethod
    def _may_trigger(cls, on: str) -> str:
        if on in NOT_TRIGGERS:
            raise ValueError(f"a rule cannot follow {on} (rules would chase each other's tags)")
        return on


class TagRule(Model):
    rule_id: str
    name: str
    on: str
    when: list[FactCondition]
    add_tags: list[str]
    enabled: bool
    created_at: str
    updated_at: str
    version: int = 1


class TagRuleList(Model):
    items: list[TagRule] = Field(description="Every rule of the tenant, oldest first.")
