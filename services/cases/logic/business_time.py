"""Business time for SLA clocks: minutes counted only inside a tenant's working hours, in its
time zone, skipping its holidays. Both directions: when a target falls due, and how many
business minutes passed between two instants."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.cases.models import BusinessHours

__all__ = ["BusinessHours", "add_minutes", "minutes_between"]


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
