"""Consumer: contacts' ContactsMerged → the survivor counts as converted where the alias was, and
a referral that counted the one person twice is taken back (logic/clawback.py)."""

from __future__ import annotations

from typing import Any

from services.campaigns.logic.merges import on_contacts_merged
from services.campaigns.service import MERGES_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope


def on_event(event: Envelope[Any]) -> None:
    data = event.data
    metadata = event.metadata
    on_contacts_merged(
        metadata.tenant_id, data.contact_id, data.merged_contact_id, metadata.event_id, metadata.occurred_at
    )


handler = EventConsumer(name=MERGES_CONSUMER.name, handlers={"ContactsMerged": on_event})
