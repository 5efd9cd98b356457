"""Consumer: a partner's after-sales request → an after-sales case for the buyer (one per request)."""

from __future__ import annotations

from typing import Any

from services.cases.logic import after_sales
from services.cases.service import PARTNER_REQUESTS_CONSUMER
from shared.consumer import EventConsumer, WithSource
from shared.events.envelope import Envelope


def on_after_sales(event: Envelope[Any], source: str) -> None:
    after_sales.open_for(event.metadata.tenant_id, source, event.data, event.metadata.event_id)


handler = EventConsumer(
    name=PARTNER_REQUESTS_CONSUMER.name, handlers={"AfterSalesRequested": WithSource(on_after_sales)}
)
