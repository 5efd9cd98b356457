"""Events published by the campaigns service (source ``siyu.campaigns``)."""

from typing import Any, Literal

from pydantic import AwareDatetime, Field

from shared.events.envelope import EventData


class ScanRef(EventData):
    scan_id: str
    contact_id: str
    campaign_id: str
    code: str
    channel: str
    store: str | None = None
    staff_id: str | None = None

    def ref(self) -> dict[str, Any]:
        """The scan reference alone, for the events that pass it on."""
        return self.model_dump(include=set(ScanRef.model_fields))


class QrCodeScanned(ScanRef):
    brand: str | None = Field(default=None, description="The campaign's brand, if it has one.")
    scanned_at: AwareDatetime


class CampaignConversionRecorded(ScanRef):
    conversion_id: str = Field(description="Unique per (campaign, contact): a campaign converts a contact once.")
    kind: Literal["acquisition", "engagement"]
    points: int = Field(ge=0, description="The reward; 0 when unrewarded.")
    rewarded: bool
    unrewarded_reason: Literal["budget_exhausted", "no_reward"] | None = None


EVENTS: dict[str, type[EventData]] = {
    "QrCodeScanned": QrCodeScanned,
    "CampaignConversionRecorded": CampaignConversionRecorded,
}
