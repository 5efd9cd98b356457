"""Contact ways (联系我) that stand for channel codes: entities and API models."""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from shared.models import Model, StrictModel

ContactWayStatus = Literal["creating", "ready", "failed"]
StaffId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]
StaffIds = Annotated[list[StaffId], Field(min_length=1, max_length=100)]  # WeCom's most per contact way
DailyAddLimit = Annotated[int, Field(ge=1, le=10_000)]


class ContactWay(Model):
    """The contact way of a channel code, one per code (never one per member: WeCom limits them
    per corp). ``serving`` is who WeCom shares the adds among now: ``staff_ids`` less those at
    their daily limit (``full``, on ``full_day``)."""

    tenant_id: str
    code: str
    campaign_id: str
    channel: str
    corp_id: str | None = None
    staff_ids: list[str]
    daily_add_limit: int | None = None
    status: ContactWayStatus
    failure: str | None = None
    config_id: str | None = None
    qr_code: str | None = None
    serving: list[str] = Field(default_factory=list)
    full: list[str] = Field(default_factory=list)
    full_day: str | None = None
    version: int = 1
    created_at: str
    updated_at: str


class ContactWayChange(StrictModel):
    """A new rotation for a code's contact way: who takes its adds, and how many a day each."""

    staff_ids: StaffIds
    daily_add_limit: DailyAddLimit | None = None

    @model_validator(mode="after")
    def _distinct(self) -> "ContactWayChange":
        if len(set(self.staff_ids)) != len(self.staff_ids):
            raise ValueError("staff_ids must not repeat a staff member")
        return self


class StaffAdds(Model):
    staff_id: str
    adds: int = Field(description="Adds through this code today (business day, Asia/Shanghai).")
    full: bool = Field(description="At the daily add limit: out of the rotation until tomorrow.")


class ContactWayView(Model):
    code: str
    campaign_id: str
    channel: str
    corp_id: str | None
    status: ContactWayStatus
    failure: str | None = Field(description="Why WeCom refused the contact way, when it did.")
    qr_code: str | None = Field(description="WeCom's QR code image of the contact way, to print or post.")
    config_id: str | None = Field(description="WeCom's id of the contact way.")
    staff_ids: list[str]
    daily_add_limit: int | None
    serving: list[str] = Field(description="Who takes the adds now: staff_ids less those at their limit.")
    day: str
    today: list[StaffAdds]
    created_at: str
    updated_at: str


class ContactWaySummary(Model):
    code: str
    campaign_id: str
    channel: str
    status: ContactWayStatus
    qr_code: str | None
    staff_ids: list[str]
    daily_add_limit: int | None
    serving: list[str]
    created_at: str


class ContactWayList(Model):
    items: list[ContactWaySummary]
    next_cursor: str | None
