"""Consumer: contacts erased or merged → their cases forget or move."""

from __future__ import annotations

from typing import Any

from services.cases.logic import contact_cases
from services.cases.service import CONTACT_CASES_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_erased(event: Envelope[Any]) -> None:
    contact_cases.erase(event.metadata.tenant_id, event.data.contact_id, event.metadata.event_id)


def on_merged(event: Envelope[Any]) -> None:
    data = event.data
    contact_cases.merge(event.metadata.tenant_id, data.contact_id, data.merged_contact_id, event.metadata.event_id)


handler = EventConsumer(
    name=CONTACT_CASES_CONSUMER.name, handlers={"ContactErased": on_erased, "ContactsMerged": on_merged}
)
