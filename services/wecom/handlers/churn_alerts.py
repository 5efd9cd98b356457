"""Consumer: a customer removed a staff member → the churn alert (流失提醒), once per friendship."""

from __future__ import annotations

from services.wecom.logic import churn
from services.wecom.service import CHURN_ALERTS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope
from shared.events.wecom import WeComContactRemoved


def on_removed(event: Envelope[WeComContactRemoved]) -> None:
    churn.alert(event.metadata.tenant_id, event.metadata.event_id, event.data)


handler = EventConsumer(name=CHURN_ALERTS_CONSUMER.name, handlers={"WeComContactRemoved": on_removed})
