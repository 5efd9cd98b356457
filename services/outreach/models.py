"""Outreach's entities shared by its parts: the contact facts it keeps, channels, templates and
the tenant's outreach settings. Each area's API models live beside it (``*_models.py``)."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from shared.models import HOME_ZONE, Model

Channel = Literal["wecom_customer", "wecom_group", "wechat_template", "wechat_subscribe"]
"""Where a message goes: a WeCom 群发 to customers (or to customer groups), an official account
template message, a mini-program subscribe message. A channel adapter (logic/channels.py) is what
a new one (SMS) adds."""

CapFamily = Literal["wecom", "wechat_template", "wechat_subscribe"]
"""The per-contact caps are kept per family: both WeCom 群发 kinds share the platform's limits."""


class Friendship(Model):
    """A staff member who has the contact as a WeCom customer now."""

    corp_id: str
    staff_id: str
    external_userid: str
    generation: int = Field(description="WeCom relationship generation: later adds/removals win.")
    added_at: str


class ContactFacts(Model):
    """Outreach's copy of one contact, kept from events (services/outreach/logic/facts.py)."""

    tenant_id: str
    contact_id: str
    status: Literal["active", "merged", "erased"] = "active"
    merged_into: str | None = None
    version: int = Field(default=0, description="The contact's profile version copied (0: none yet).")
    name: str | None = None
    birthday: date | None = None
    consent: dict[str, dict[str, bool]] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    owners: dict[str, str] = Field(default_factory=dict)
    openids: dict[str, str] = Field(default_factory=dict, description="WeChat openid per app id.")
    external_userids: dict[str, str] = Field(default_factory=dict, description="external_userid per corp.")
    friends: list[Friendship] = Field(default_factory=list)
    lifecycle_stage: str | None = None
    points_balance: int | None = None
    points_expiring: int = 0
    points_expiring_at: str | None = None

    def consents_to(self, entry: str) -> bool:
        """Whether the contact agreed to marketing through ``entry`` (a channel's consent entry)."""
        return self.consent.get(entry, {}).get("marketing") is True

    @property
    def owner(self) -> str | None:
        """The tenant-wide owner staff member ('*'), else the first brand's."""
        return self.owners.get("*") or next(iter(sorted(self.owners.items())), (None, None))[1]


@dataclass(frozen=True)
class CapWindow:
    """One cap counter a send counts in: ``key`` names the family and the calendar window."""

    key: str
    limit: int
    expires_at: int  # epoch seconds: the counter's TTL, a day after its window ends


Cap = Annotated[int, Field(ge=0, le=1000)]


class CapRule(Model):
    """At most so many sends per contact in each window (None: no limit in that window); windows
    are calendar days, ISO weeks and calendar months in the tenant's time zone."""

    per_day: Cap | None = None
    per_week: Cap | None = None
    per_month: Cap | Literal["days_in_month"] | None = Field(
        default=None, description="'days_in_month': as many as the month has days (WeCom's 群发 rule)."
    )


ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, 24 h.")]


class QuietHours(Model):
    """No send between ``start`` and ``end`` (it waits until ``end``); across midnight when
    ``start`` is after ``end``."""

    start: ClockTime = "21:00"
    end: ClockTime = "09:00"


def default_caps() -> dict[CapFamily, CapRule]:
    return {
        "wecom": CapRule(per_day=1, per_month="days_in_month"),
        "wechat_template": CapRule(per_week=4),
        "wechat_subscribe": CapRule(per_week=4),
    }


class OutreachSettings(Model):
    """A tenant's outreach settings: caps per channel family, quiet hours and time zone."""

    time_zone: str = HOME_ZONE
    quiet_hours: QuietHours | None = Field(default_factory=QuietHours)
    caps: dict[CapFamily, CapRule] = Field(default_factory=default_caps)
    version: int = 0
    updated_at: str | None = None
