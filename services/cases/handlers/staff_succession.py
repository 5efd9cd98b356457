"""Consumer: a departed WeCom staff member's successor takes their open cases."""

from __future__ import annotations

from services.cases.logic import staff_succession
from services.cases.service import STAFF_SUCCESSION_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope
from shared.events.wecom import WeComStaffSucceeded


def on_succeeded(event: Envelope[WeComStaffSucceeded]) -> None:
    staff_succession.on_succeeded(event.metadata.tenant_id, event.data)


handler = EventConsumer(name=STAFF_SUCCESSION_CONSUMER.name, handlers={"WeComStaffSucceeded": on_succeeded})
