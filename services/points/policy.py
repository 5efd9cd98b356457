"""A tenant's points policy: what earns, how much, until when, and which tier it leads to.

Kept as one item per tenant in the points table; a change applies from then on and never
rewrites an entry already written.
"""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from shared.models import HOME_ZONE, Name, ZoneName

Cap = Annotated[int, Field(ge=1, le=10_000_000)]


class _Strict(BaseModel):
    # Built on first use: only the routes and events that read a tenant's policy need it.
    model_config = ConfigDict(defer_build=True, extra="forbid")


class Expiry(_Strict):
    rule: Literal["after_days", "end_of_month", "end_of_year", "never"] = "end_of_year"
    days: Annotated[int, Field(ge=1, le=3650)] | None = Field(default=None, description="For after_days.")

    @model_validator(mode="after")
    def _days_for_after_days(self) -> Expiry:
        if (self.rule == "after_days") != (self.days is not None):
            raise ValueError("days is required for after_days, and only for it")
        return self


class Caps(_Strict):
    day: Cap | None = None
    week: Cap | None = None
    month: Cap | None = None


class EarningRule(_Strict):
    source: Literal["checkin", "order", "campaign", "referral", "profile"]
    brand: Annotated[Name, StringConstraints(max_length=64)] | None = Field(
        default=None, description="Orders: the brand the rate applies to (none: every brand)."
    )
    points_per_yuan: Annotated[float, Field(ge=0, le=1000)] | None = Field(
        default=None, description="Orders: points = floor(amount in yuan x rate)."
    )
    caps: Caps = Field(default_factory=Caps)


class Tier(_Strict):
    name: Annotated[Name, StringConstraints(max_length=32)]
    min_points: Annotated[int, Field(ge=0, le=1_000_000_000)]


class PointsPolicy(_Strict):
    time_zone: ZoneName = HOME_ZONE
    expiry: Expiry = Field(default_factory=Expiry)
    expiry_warning_days: Annotated[int, Field(ge=0, le=365)] = 30
    checkin_cycle: list[Annotated[int, Field(ge=1, le=100_000)]] = Field(
        default_factory=lambda: [5, 5, 10, 10, 15, 15, 30],
        min_length=1,
        max_length=31,
        description="Points for day 1, 2, ... of a streak; after the last day the cycle restarts.",
    )
    earning_rules: list[EarningRule] = Field(default_factory=list, max_length=50)
    tiers: list[Tier] = Field(default_factory=lambda: [Tier(name="member", min_points=0)], min_length=1, max_length=20)
    tier_window: Literal["lifetime", "rolling_12_months"] = Field(
        default="lifetime",
        description="Tiers count points earned over the whole lifetime, or this local month and the 11 before it.",
    )

    @field_validator("tiers")
    @classmethod
    def _ascending_tiers(cls, tiers: list[Tier]) -> list[Tier]:
        thresholds = [tier.min_points for tier in tiers]
        if thresholds[0] != 0 or thresholds != sorted(set(thresholds)):
            raise ValueError("tiers start at 0 points and rise strictly")
        if len({tier.name for tier in tiers}) != len(tiers):
            raise ValueError("tier names are unique")
        return tiers

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def checkin_points(self, day_of_streak: int) -> int:
        return self.checkin_cycle[(day_of_streak - 1) % len(self.checkin_cycle)]
