"""Lead scoring: the tenant's scoring rules and what a contact's score is made
of. Rules are written with the fact conditions of auto-tagging (``rule_models.FactCondition``)."""

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator

from services.contacts.models import TimelineType
from services.contacts.rule_models import MAX_CONDITIONS, FactCondition, RuleName
from shared.models import Model, StrictModel

MAX_SCORE_RULES = 50
RuleKey = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Grade = Literal["A", "B", "C", "D"]
RulePoints = Annotated[int, Field(ge=-1000, le=1000)]


class _Strict(StrictModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class ScoreRule(_Strict):
    rule_id: RuleKey = Field(description="The rule's key (contributions name it): lower-case letters, digits, - and _.")
    name: RuleName
    on: TimelineType = Field(description="The fact type it scores (OrderPaid, MemberLoggedIn, CaseRated…).")
    when: list[FactCondition] = Field(
        default_factory=list, max_length=MAX_CONDITIONS, description="Conditions that must all hold (none: always)."
    )
    points: RulePoints = Field(description="Points per matching fact (negative: a penalty).")
    daily_cap: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        default=None, description="At most so many points (either sign) from this rule per contact and day."
    )

    @field_validator("points")
    @classmethod
    def _not_zero(cls, points: int) -> int:
        if points == 0:
            raise ValueError("a rule scores some points")
        return points


class GradeThresholds(_Strict):
    """The lowest score of each grade; below C is D."""

    A: Annotated[int, Field(ge=1, le=10**6)] = 80
    B: Annotated[int, Field(ge=1, le=10**6)] = 50
    C: Annotated[int, Field(ge=1, le=10**6)] = 20

    @model_validator(mode="after")
    def _descending(self) -> "GradeThresholds":
        if not self.A > self.B > self.C:
            raise ValueError("thresholds must descend: A > B > C")
        return self


class LeadScoring(_Strict):
    """A tenant's lead scoring (no rules until it sets some: every score is 0, grade D)."""

    rules: list[ScoreRule] = Field(default_factory=list, max_length=MAX_SCORE_RULES)
    half_life_days: Annotated[int, Field(ge=0, le=3650)] = Field(
        default=30, description="A score halves every so many days without new points (0: never decays)."
    )
    grades: GradeThresholds = Field(default_factory=GradeThresholds)

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, rules: list[ScoreRule]) -> list[ScoreRule]:
        ids = [rule.rule_id for rule in rules]
        if len(set(ids)) != len(ids):
            raise ValueError("rule_id values must be unique")
        return rules


class Contribution(Model):
    """Points one fact earned under one rule."""

    rule_id: str
    rule_name: str
    type: str = Field(description="The fact's type.")
    event_id: str = Field(description="The fact's event id (its timeline entry).")
    occurred_at: str
    points: int = Field(description="Points awarded (after the rule's daily cap).")
    points_now: float = Field(description="What they are worth today, after decay.")


class ScoreView(Model):
    contact_id: str
    score: int = Field(description="Today's score: every contribution decayed, rounded.")
    grade: Grade
    half_life_days: int
    contributions: list[Contribution] = Field(description="Newest first.")
    next_cursor: str | None
