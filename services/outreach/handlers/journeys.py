"""Consumer: the facts journeys start from, wait for and aim at."""

from __future__ import annotations

from typing import Any

from services.outreach.logic import journey_engine
from services.outreach.service import JOURNEYS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def _keys(detail_type: str, data: Any) -> list[str]:
    """The trigger index keys an event may start journeys by."""
    if detail_type == "ContactLifecycleChanged":
        return [f"lifecycle:{data.stage}"]
    if detail_type == "SegmentMembershipChanged":
        return [f"segment:{segment_id}" for segment_id in data.entered]
    return [f"event:{detail_type}"]


def _handler(detail_type: str) -> Any:
    def handle(event: Envelope[Any]) -> None:
        contact_id = getattr(event.data, "contact_id", None)
        if not contact_id:  # a case without a member, for instance: no journey concerns it
            journey_engine.nothing_to_do(event.metadata.tenant_id, event.metadata.event_id, JOURNEYS_CONSUMER.name)
            return
        journey_engine.on_event(
            event.metadata.tenant_id,
            event.metadata.event_id,
            JOURNEYS_CONSUMER.name,
            detail_type,
            str(contact_id),
            event.data.model_dump(mode="json"),
            _keys(detail_type, event.data),
        )

    return handle


DETAIL_TYPES = (
    "ContactCreated",
    "ContactLifecycleChanged",
    "SegmentMembershipChanged",
    "WeComCustomerIdentified",
    "OrderBuyerIdentified",
    "CampaignConversionRecorded",
    "PointsExpiring",
    "TierChanged",
    "CaseStatusChanged",
)

handler = EventConsumer(
    name=JOURNEYS_CONSUMER.name, handlers={detail_type: _handler(detail_type) for detail_type in DETAIL_TYPES}
)
