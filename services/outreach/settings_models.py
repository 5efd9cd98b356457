"""The outreach settings' API model: what an admin sends to change them (answered as
``models.OutreachSettings``)."""

from typing import Annotated

from pydantic import ConfigDict, Field, model_validator

from services.outreach.models import CapFamily, CapRule, QuietHours
from shared.models import StrictModel, ZoneName

WECOM_PER_DAY = 1
"""WeCom delivers at most one 群发 a day to a customer: a tenant may set less, never more."""


class QuietHoursChange(QuietHours):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _a_window(self) -> "QuietHoursChange":
        if self.start == self.end:
            raise ValueError("quiet hours start and end at different times (null: no quiet hours)")
        return self


class CapRuleChange(CapRule):
    model_config = ConfigDict(extra="forbid")


class OutreachSettingsChange(StrictModel):
    """The whole settings, with the version read (0 while they were never set)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "time_zone": "Asia/Shanghai",
                    "quiet_hours": {"start": "21:30", "end": "09:00"},
                    "caps": {"wecom": {"per_day": 1, "per_month": 4}, "wechat_template": {"per_week": 2}},
                    "version": 0,
                }
            ]
        }
    )

    time_zone: ZoneName = Field(description="Quiet hours and cap windows are counted in this IANA zone.")
    quiet_hours: QuietHoursChange | None = Field(description="No send between start and end; null: none.")
    caps: dict[CapFamily, CapRuleChange] = Field(
        description="Per-contact caps per channel family; a family left out keeps the default caps. "
        "WeCom's are at most the platform's: 1 a day and as many a month as the month has days."
    )
    version: Annotated[int, Field(ge=0, le=1_000_000_000, description="The version read; a stale one is a 409.")]
