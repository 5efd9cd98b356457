"""Consumer: WeCom's transfers → owners (a departed member's contacts to the successor, a
transferred customer's contact to its new staff member)."""

from __future__ import annotations

from services.contacts.logic import staff_succession
from services.contacts.service import STAFF_SUCCESSION_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope
from shared.events.wecom import WeComCustomerTransferred, WeComStaffSucceeded


def on_succeeded(event: Envelope[WeComStaffSucceeded]) -> None:
    staff_succession.on_succeeded(event.metadata.tenant_id, event.data)


def on_transferred(event: Envelope[WeComCustomerTransferred]) -> None:
    staff_succession.on_transferred(
        STAFF_SUCCESSION_CONSUMER.name, event.metadata.tenant_id, event.metadata.event_id, event.data
    )


handler = EventConsumer(
    name=STAFF_SUCCESSION_CONSUMER.name,
    handlers={"WeComStaffSucceeded": on_succeeded, "WeComCustomerTransferred": on_transferred},
)
