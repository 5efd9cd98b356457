"""Consumer: wecom's job steps (``WeComJobStepped``)."""

from __future__ import annotations

from services.wecom.logic import jobs
from services.wecom.service import JOBS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope
from shared.events.wecom import WeComJobStepped


def on_stepped(event: Envelope[WeComJobStepped]) -> None:
    jobs.run_step(event.metadata.tenant_id, event.data)


handler = EventConsumer(name=JOBS_CONSUMER.name, handlers={"WeComJobStepped": on_stepped})
