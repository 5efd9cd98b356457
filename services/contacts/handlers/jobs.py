"""Consumer ``contacts-jobs``: runs the step of a job each ContactsJobStepped names (logic/jobs.py)."""

from __future__ import annotations

from typing import Any

from services.contacts.logic import jobs
from services.contacts.service import JOBS_CONSUMER
from shared.consumer import EventConsumer, Handler, WithSource
from shared.events.envelope import Envelope


def on_stepped(event: Envelope[Any]) -> None:
    jobs.run_step(event.metadata.tenant_id, event.data)


HANDLERS: dict[str, Handler | WithSource] = {"ContactsJobStepped": on_stepped}

handler = EventConsumer(name=JOBS_CONSUMER.name, handlers=HANDLERS)
