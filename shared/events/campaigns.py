"""Events published by the campaigns service (source ``siyu.campaigns``)."""

from typing import Any, Literal

from pydantic import AwareDatetime, Field

from shared.events.envelope import CampaignPoints, EventData, Flag, Id, Key, Label


class ScanRef(EventData):
    scan_id: Id
    contact_id: Id
    campaign_id: Id
    code: Label
    channel: Label
    store: Label | None = None
    staff_id: Id | None = None

    def ref(self) -> dict[str, Any]:
        """The scan reference alone, for the events that pass it on."""
        return self.model_dump(include=set(ScanRef.model_fields))


class QrCodeScanned(ScanRef):
    brand: Label | None = Field(default=None, description="The campaign's brand, if it has one.")
    scanned_at: AwareDatetime


class CampaignConversionRecorded(ScanRef):
    conversion_id: Key = Field(description="Unique per (campaign, contact): a campaign converts a contact once.")
    kind: Literal["acquisition", "engagement"]
    points: CampaignPoints = Field(description="The reward; 0 when unrewarded.")
    rewarded: Flag
    unrewarded_reason: Literal["budget_exhausted", "no_reward"] | None = None


EVENTS: dict[str, type[EventData]] = {
    "QrCodeScanned": QrCodeScanned,
    "CampaignConversionRecorded": CampaignConversionRecorded,
}
