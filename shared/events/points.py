"""Events published by the points service (source ``siyu.points``)."""

from __future__ import annotations

from pydantic import Field

from shared.events.envelope import EventData


class PointsAwarded(EventData):
    contact_id: str
    entry_id: str
    points: int = Field(gt=0)
    balance: int = Field(description="The account's balance after the award.")
    lifetime_earned: int
    reason: str = Field(description="Why, e.g. campaign_acquisition, campaign_engagement.")
    source: str = Field(description="What caused it, e.g. conversion:<conversion_id>; unique per award.")


EVENTS: dict[str, type[EventData]] = {"PointsAwarded": PointsAwarded}
