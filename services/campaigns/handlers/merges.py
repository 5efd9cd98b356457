"""Consumer: contacts' ContactsMerged → the survivor counts as converted where the alias was."""

from __future__ import annotations

from typing import Any

from services.campaigns.logic.merges import on_contacts_merged
from services.campaigns.service import MERGES_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_event(event: Envelope[Any]) -> None:
    data = event.data
    on_contacts_merged(event.metadata.tenant_id, data.contact_id, data.merged_contact_id, event.metadata.event_id)


handler = EventConsumer(name=MERGES_CONSUMER.name, handlers={"ContactsMerged": on_event})
