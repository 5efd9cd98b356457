"""SLA business time: working hours in the tenant's zone, weekends and holidays skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.cases.logic.business_time import BusinessHours, add_minutes, minutes_between

SHANGHAI = BusinessHours()  # 09:00-18:00 Monday to Friday, Asia/Shanghai


def local(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


def test_friday_afternoon_plus_an_hour_is_monday_morning() -> None:
    due = add_minutes(local("2026-11-20T17:30:00"), 60, SHANGHAI)  # a Friday
    assert due == local("2026-11-23T09:30:00")  # Monday
    assert minutes_between(local("2026-11-20T17:30:00"), due, SHANGHAI) == 60


def test_out_of_hours_starts_count_from_the_next_opening_and_holidays_are_skipped() -> None:
    assert add_minutes(local("2026-11-21T22:00:00"), 30, SHANGHAI) == local("2026-11-23T09:30:00")
    assert add_minutes(local("2026-11-23T07:00:00"), 0, SHANGHAI) == local("2026-11-23T09:00:00")
    holiday = SHANGHAI.model_copy(update={"holidays": [date(2026, 11, 23)]})
    assert add_minutes(local("2026-11-20T17:30:00"), 60, holiday) == local("2026-11-24T09:30:00")
    assert minutes_between(local("2026-11-20T09:00:00"), local("2026-11-24T09:00:00"), holiday) == 9 * 60


def test_the_instant_may_be_given_in_any_zone() -> None:
    friday_1730_utc = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # 17:30 in Shanghai
    assert add_minutes(friday_1730_utc, 60, SHANGHAI) == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
    st.integers(min_value=0, max_value=20 * 540),
)
def test_adding_minutes_and_counting_them_agree(start: datetime, minutes: int) -> None:
    start = start.replace(second=0, microsecond=0)
    due = add_minutes(start, minutes, SHANGHAI)
    assert due >= start
    assert minutes_between(start, due, SHANGHAI) == minutes
    working_days = minutes // 540 + 1
    assert due - start <= timedelta(days=working_days * 7 / 5 + 3)  # the work plus its weekends, no more
