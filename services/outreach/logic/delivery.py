"""The rules every send obeys, whatever sends it (a broadcast now, a journey step next): who may be
reached on a channel, at which address, in which cap windows, and when quiet hours let it go.

Pure functions of the facts, the settings and the time; the data layer (``dal/caps.py``) keeps the
counters, and a send and its counters are written in one transaction, so two senders racing for a
contact one below its cap cannot both go.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.outreach.logic import channels
from services.outreach.logic.channels import Address, SkipReason
from services.outreach.models import CapRule, CapWindow, ContactFacts, OutreachSettings, QuietHours

__all__ = ["Address", "SkipReason", "address_of", "cap_windows", "in_quiet_hours", "next_allowed"]


def address_of(facts: ContactFacts, channel: str, app_id: str | None) -> Address | SkipReason:
    """Where ``facts``' contact is reached on ``channel``, or why it is not (cap aside)."""
    if facts.status != "active":
        return "contact_gone"
    on = channels.adapter(channel)
    if not facts.consents_to(on.consent):
        return "no_consent"
    return on.address(facts, app_id)


def cap_windows(settings: OutreachSettings, channel: str, moment: datetime) -> list[CapWindow]:
    """The counters a send on ``channel`` at ``moment`` counts in, with their limits."""
    family = channels.adapter(channel).family
    rule: CapRule | None = settings.caps.get(family) if family else None
    if rule is None:
        return []
    local = moment.astimezone(ZoneInfo(settings.time_zone))
    day = local.date()
    windows: list[CapWindow] = []
    if rule.per_day is not None:
        end = day + timedelta(days=1)
        windows.append(CapWindow(f"{family}#D#{day.isoformat()}", rule.per_day, _expiry(end, settings.time_zone)))
    if rule.per_week is not None:
        year, week, weekday = day.isocalendar()
        end = day + timedelta(days=8 - weekday)
        windows.append(CapWindow(f"{family}#W#{year}-W{week:02d}", rule.per_week, _expiry(end, settings.time_zone)))
    if rule.per_month is not None:
        days = calendar.monthrange(day.year, day.month)[1]
        limit = days if rule.per_month == "days_in_month" else rule.per_month
        end = day.replace(day=1) + timedelta(days=days)
        windows.append(CapWindow(f"{family}#M#{day.year}-{day.month:02d}", limit, _expiry(end, settings.time_zone)))
    return windows


def _expiry(window_end: date, zone: str) -> int:
    end = datetime.combine(window_end, time(), ZoneInfo(zone))
    return int((end + timedelta(days=1)).timestamp())


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(moment: datetime, quiet: QuietHours | None, zone: str) -> bool:
    if quiet is None or quiet.start == quiet.end:
        return False
    now = moment.astimezone(ZoneInfo(zone)).time().replace(second=0, microsecond=0)
    start, end = _clock(quiet.start), _clock(quiet.end)
    if start < end:
        return start <= now < end
    return now >= start or now < end  # across midnight: 21:00-09:00


def next_allowed(moment: datetime, settings: OutreachSettings) -> datetime:
    """``moment`` itself, or the end of the quiet hours it falls in (the next day's 09:00 for a
    22:00 send under the default 21:00-09:00), in the tenant's time zone."""
    quiet = settings.quiet_hours
    if quiet is None or not in_quiet_hours(moment, quiet, settings.time_zone):
        return moment
    zone = ZoneInfo(settings.time_zone)
    local = moment.astimezone(zone)
    end = datetime.combine(local.date(), _clock(quiet.end), zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), _clock(quiet.end), zone)
    return end.astimezone(UTC)
