"""Rewards catalog and redemptions: stored entities and the API's input and output models."""

from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, model_validator

from services.points.models import Draw
from shared.models import Model, Name, StrictModel, Text

RewardName = Annotated[Name, StringConstraints(max_length=100)]
Brand = Annotated[Name, StringConstraints(max_length=64)]
Description = Annotated[Text, StringConstraints(max_length=2000)]
Cost = Annotated[int, Field(ge=1, le=10_000_000)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
PerMemberLimit = Annotated[int, Field(ge=1, le=10_000)]
RedemptionStatus = Literal["requested", "fulfilled", "cancelled"]
REDEMPTION_STATUSES: tuple[str, ...] = RedemptionStatus.__args__  # type: ignore[attr-defined]


class _Validity(StrictModel):
    @model_validator(mode="after")
    def _ordered(self) -> "_Validity":
        starts, ends = getattr(self, "valid_from", None), getattr(self, "valid_until", None)
        if starts is not None and ends is not None and ends <= starts:
            raise ValueError("valid_until must be after valid_from")
        return self


class RewardCreate(_Validity):
    name: RewardName
    description: Description = ""
    cost: Cost = Field(description="Points per redemption.")
    stock: Count | None = Field(default=None, description="Units left; none: unlimited.")
    per_member_limit: PerMemberLimit | None = Field(default=None, description="Redemptions per member; none: no limit.")
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    brand: Brand | None = None
    active: bool = True


class RewardPatch(_Validity):
    name: RewardName | None = None
    description: Description | None = None
    cost: Cost | None = None
    stock: Count | None = None
    per_member_limit: PerMemberLimit | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    brand: Brand | None = None
    active: bool | None = None


class Reward(Model):
    tenant_id: str
    reward_id: str
    name: str
    description: str = ""
    cost: int
    stock: int | None = None
    per_member_limit: int | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    brand: str | None = None
    active: bool = True
    redeemed: int = 0
    created_at: str
    version: int = 1

    def available_at(self, now: str) -> bool:
        return (
            self.active
            and (self.valid_from is None or self.valid_from <= now)
            and (self.valid_until is None or now < self.valid_until)
        )


class _ViewOf(Model):
    """An API view: the stored entity's fields that callers may see."""

    @classmethod
    def of(cls, stored: BaseModel) -> Self:
        return cls.model_validate(stored.model_dump())


class RewardView(_ViewOf):
    reward_id: str
    name: str
    description: str
    cost: int
    stock: int | None
    per_member_limit: int | None
    valid_from: str | None
    valid_until: str | None
    brand: str | None
    active: bool
    redeemed: int
    created_at: str


class RewardList(Model):
    items: list[RewardView]
    next_cursor: str | None


class RedemptionRequest(StrictModel):
    reward_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class Redemption(Model):
    tenant_id: str
    redemption_id: str
    contact_id: str
    reward_id: str
    reward_name: str
    points: int
    status: RedemptionStatus = "requested"
    entry_id: str
    lots: list[Draw]
    created_at: str
    updated_at: str
    updated_by: str | None = None


class RedemptionView(_ViewOf):
    redemption_id: str
    contact_id: str
    reward_id: str
    reward_name: str
    points: int
    status: RedemptionStatus
    created_at: str
    updated_at: str


class RedemptionDone(RedemptionView):
    balance: int


class RedemptionList(Model):
    items: list[RedemptionView]
    next_cursor: str | None
