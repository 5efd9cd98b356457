"""Consumer: a staff member became departed (离职) → their customers go to their successor."""

from __future__ import annotations

from services.wecom.logic import departures
from services.wecom.service import DEPARTURES_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope
from shared.events.wecom import WeComStaffChanged


def on_changed(event: Envelope[WeComStaffChanged]) -> None:
    departures.on_staff_changed(event.metadata.tenant_id, event.metadata.event_id, event.data)


handler = EventConsumer(name=DEPARTURES_CONSUMER.name, handlers={"WeComStaffChanged": on_changed})
