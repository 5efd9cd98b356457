"""The tenant's outreach settings: caps per channel family, quiet hours and time zone.

``get`` is what every send reads (one read per call; nothing is cached, so no tenant's settings
can leak into another's and a change applies to the next send)."""

from __future__ import annotations

from typing import Any

from services.outreach.dal import settings as dal
from services.outreach.models import CapFamily, CapRule, OutreachSettings, default_caps
from services.outreach.settings_models import WECOM_PER_DAY, OutreachSettingsChange
from shared.clock import now_rfc3339
from shared.errors import ConcurrentUpdate, Unprocessable

MAX_PER_MONTH = 31


def get(tenant_id: str) -> OutreachSettings:
    return dal.get(tenant_id)


def _platform_errors(rule: CapRule | None) -> list[dict[str, Any]]:
    """WeCom's own limits are a ceiling the tenant's caps may not pass."""
    if rule is None:
        return []
    errors = []
    if rule.per_day is None or rule.per_day > WECOM_PER_DAY:
        errors.append(
            {"loc": ["body", "caps", "wecom", "per_day"], "msg": f"at most {WECOM_PER_DAY}: WeCom's daily limit"}
        )
    if rule.per_month is None or (isinstance(rule.per_month, int) and rule.per_month > MAX_PER_MONTH):
        errors.append(
            {
                "loc": ["body", "caps", "wecom", "per_month"],
                "msg": "'days_in_month' or a number up to 31: WeCom's monthly limit",
            }
        )
    return errors


def put(tenant_id: str, change: OutreachSettingsChange) -> OutreachSettings:
    """Replace the settings, on the version read (a stale one is a 409). A cap family left out
    keeps its default caps."""
    errors = _platform_errors(change.caps.get("wecom"))
    if errors:
        raise Unprocessable("The WeCom caps pass the platform's limits.", errors)
    current = dal.get(tenant_id)
    if change.version != current.version:
        raise ConcurrentUpdate(f"The outreach settings are at version {current.version}; read them again.")
    caps: dict[CapFamily, CapRule] = default_caps()
    caps |= {family: CapRule.model_validate(rule.model_dump()) for family, rule in change.caps.items()}
    saved = OutreachSettings.model_validate(
        {
            "time_zone": change.time_zone,
            "quiet_hours": None if change.quiet_hours is None else change.quiet_hours.model_dump(),
            "caps": caps,
            "version": current.version + 1,
            "updated_at": now_rfc3339(),
        }
    )
    dal.save(tenant_id, saved, current.version)
    return saved
