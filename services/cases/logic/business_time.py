"""Business time for SLA clocks: minutes counted only inside a tenant's working hours, in its
time zone, skipping its holidays. Both directions: when a target falls due, and how many
business minutes passed between two instants."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_DAYS = 3 * 366  # no target runs further than this; a calendar with no working day fails loudly


class BusinessHours(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_zone: str = "Asia/Shanghai"
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4], description="Working days, 0 = Monday."
    )
    holidays: list[date] = Field(default_factory=list, max_length=366)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @model_validator(mode="after")
    def _a_working_window(self) -> BusinessHours:
        if self.closes <= self.opens or not self.weekdays:
            raise ValueError("business hours need a working day and close after they open")
        return self

    def windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows (aware, in the tenant's zone) from ``start``'s local day onwards."""
        zone = ZoneInfo(self.time_zone)
        day = start.astimezone(zone).date()
        for offset in range(MAX_DAYS):
            current = day + timedelta(days=offset)
            if current.weekday() in self.weekdays and current not in self.holidays:
                yield datetime.combine(current, self.opens, zone), datetime.combine(current, self.closes, zone)
        raise ValueError("no working time within three years")


def add_minutes(start: datetime, minutes: int, hours: BusinessHours) -> datetime:
    """The instant ``minutes`` business minutes after ``start``."""
    left = timedelta(minutes=minutes)
    for opens, closes in hours.windows(start):
        begin = max(opens, start)
        if begin >= closes:
            continue
        if begin + left <= closes:
            return begin + left
        left -= closes - begin
    raise AssertionError("unreachable: windows() raises first")


def minutes_between(start: datetime, end: datetime, hours: BusinessHours) -> int:
    """Whole business minutes in [start, end)."""
    if end <= start:
        return 0
    total = timedelta()
    for opens, closes in hours.windows(start):
        if opens >= end:
            break
        total += max(timedelta(), min(closes, end) - max(opens, start))
    return int(total.total_seconds() // 60)
