"""Campaign funnel statistics, from the counters the scan and conversion writes keep."""

from __future__ import annotations

from typing import Any

from services.campaigns.dal import campaigns as dal
from services.campaigns.logic import campaigns
from services.campaigns.models import (
    BUSINESS_ZONE,
    CampaignDailyStats,
    CampaignDay,
    CampaignStats,
    ChannelStats,
    CodeStats,
    Counters,
    StaffStats,
)
from shared import daily
from shared.auth.principal import StaffPrincipal
from shared.clock import utc_now

DAILY_COUNTERS = ("scans", "acquired", "engaged")


def _counters(row: dict[str, Any]) -> dict[str, int]:
    return {name: int(row.get(name, 0)) for name in dal.COUNTERS}


def stats(staff: StaffPrincipal, campaign_id: str) -> CampaignStats:
    campaigns.get(staff.tenant_id, campaign_id)
    rows = dal.stats_rows(staff.tenant_id, campaign_id)
    total = Counters()
    by_code: list[CodeStats] = []
    by_staff: list[StaffStats] = []
    by_channel: list[ChannelStats] = []
    for row in rows:
        scope = str(row["sk"]).removeprefix("STATS#")
        if scope == "total":
            total = Counters(**_counters(row))
        elif scope.startswith("code#"):
            by_code.append(
                CodeStats(
                    code=row["code"],
                    channel=row["channel"],
                    store=row.get("store"),
                    staff_id=row.get("staff_id"),
                    **_counters(row),
                )
            )
        elif scope.startswith("channel#"):
            by_channel.append(ChannelStats(channel=scope.removeprefix("channel#"), **_counters(row)))
        elif scope.startswith("staff#"):
            by_staff.append(StaffStats(staff_id=scope.removeprefix("staff#"), **_counters(row)))
    if staff.sees_only_own_customers:  # a guide sees what their own codes brought in
        by_code = [c for c in by_code if c.staff_id == staff.staff_id]
        by_staff = [s for s in by_staff if s.staff_id == staff.staff_id]
        by_channel = []
        total = Counters(**by_staff[0].model_dump(include=set(dal.COUNTERS))) if by_staff else Counters()
    return CampaignStats(
        campaign_id=campaign_id, **total.model_dump(), by_code=by_code, by_channel=by_channel, by_staff=by_staff
    )


def daily_stats(tenant_id: str, days: int) -> CampaignDailyStats:
    """The tenant's scans and conversions per business day over the last ``days`` days, today
    included. A conversion counts on the day of the scan that brought it."""
    dates = daily.window(BUSINESS_ZONE, days, utc_now())
    rows = dal.daily_figures(tenant_id, dates, DAILY_COUNTERS)
    return CampaignDailyStats(
        zone=BUSINESS_ZONE,
        days=[CampaignDay(**row, conversions=row["acquired"] + row["engaged"]) for row in rows],
    )
