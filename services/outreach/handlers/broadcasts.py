"""Consumer: broadcasts planned page by page, and WeCom's answers for their staff tasks."""

from __future__ import annotations

from services.outreach.logic import planning
from services.outreach.service import BROADCASTS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.campaigns import CampaignConversionRecorded
from shared.events.envelope import Envelope
from shared.events.outreach import BroadcastStepped
from shared.events.wecom import WeComMassMessageCreated, WeComMassMessageProgressed


def on_stepped(event: Envelope[BroadcastStepped]) -> None:
    planning.step(event.metadata.tenant_id, event.metadata.event_id, event.data)


def on_created(event: Envelope[WeComMassMessageCreated]) -> None:
    planning.on_created(event.metadata.tenant_id, event.metadata.event_id, event.data)


def on_conversion(event: Envelope[CampaignConversionRecorded]) -> None:
    planning.on_conversion(event.metadata.tenant_id, event.metadata.event_id, event.data, event.metadata.occurred_at)


def on_progressed(event: Envelope[WeComMassMessageProgressed]) -> None:
    planning.on_progressed(event.metadata.tenant_id, event.metadata.event_id, event.data)


handler = EventConsumer(
    name=BROADCASTS_CONSUMER.name,
    handlers={
        "BroadcastStepped": on_stepped,
        "WeComMassMessageCreated": on_created,
        "WeComMassMessageProgressed": on_progressed,
        "CampaignConversionRecorded": on_conversion,
    },
)
