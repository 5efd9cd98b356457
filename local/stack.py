"""The whole local stack in one object: emulator, resources, gateway and pumps.

Used by ``make run`` (``python -m local``) and by tests that want the stack in-process.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import local.dev_tokens  # noqa: F401 - registers POST /v1/auth/dev-token on the platform API
from local.dev_clock import LOCAL_SERVICES, run_scheduled
from local.emulator import Emulator
from local.fake_wecom import FAKE_WECOM_SERVICE
from local.fake_wecom import install as install_fake_wecom
from local.gateway import LocalGateway
from local.provision import Provisioned, provision
from local.pumps import Pump, QueuePump, ScheduleTimer, StreamPump
from shared import aws
from shared.auth import keys
from shared.manifest import Service, resolve_handler
from shared.settings import get_settings

STOP_SECONDS = 3.0  # what Ctrl-C waits for pumps to finish their batches in hand

EMULATOR_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_SERVICE_NAME": "siyu-local",
}


@dataclass
class LocalStack:
    services: tuple[Service, ...]
    emulator: Emulator = field(default_factory=Emulator)
    resources: Provisioned | None = None
    gateway: LocalGateway | None = None
    stream_pumps: dict[str, StreamPump] = field(default_factory=dict)
    queue_pumps: dict[str, QueuePump] = field(default_factory=dict)
    timers: dict[str, ScheduleTimer] = field(default_factory=dict)
    # Scheduled functions run this often locally (AWS: their declared expression).
    schedule_seconds: float = float(os.environ.get("SIYU_LOCAL_SCHEDULE_SECONDS", "60"))

    def start(self) -> LocalStack:
        self.emulator.start()
        os.environ.update(EMULATOR_ENVIRONMENT)
        os.environ["AWS_ENDPOINT_URL"] = self.emulator.endpoint
        _reset_process_caches()
        self.resources = provision(self.services)
        os.environ.update(self.resources.environment())
        _reset_process_caches()
        install_fake_wecom()  # the wecom client calls the fake in-process (WeCom is outside)
        # The deployed services' routes, and the local stack's own (the test clock).
        self.gateway = LocalGateway((*self.services, *LOCAL_SERVICES, FAKE_WECOM_SERVICE))
        for service in self.services:
            if service.publisher_handler and service.name in self.resources.streams:
                self.stream_pumps[service.name] = StreamPump(
                    self.resources.streams[service.name],
                    resolve_handler(service.publisher_handler),
                    f"{service.name}-publisher",
                )
        for name, queues in self.resources.consumers.items():
            self.queue_pumps[name] = QueuePump(
                queues.queue_url,
                queues.queue_arn,
                resolve_handler(queues.consumer.handler),
                name,
                batch_size=queues.consumer.batch_size,
            )
        for service in self.services:
            for schedule in service.schedules:
                self.timers[schedule.name] = ScheduleTimer(
                    schedule.name, resolve_handler(schedule.handler), self.schedule_seconds
                )
        for pump in self.pumps:
            pump.start()
        return self

    def run_schedule(self, name: str) -> dict[str, Any]:
        """Run the scheduled function ``name`` once, now, in this thread (a test that moved the
        clock runs its sweep so, rather than waiting for the timer)."""
        return run_scheduled(name)

    @property
    def pumps(self) -> list[Pump]:
        return [*self.stream_pumps.values(), *self.queue_pumps.values(), *self.timers.values()]

    def stop(self) -> None:
        for pump in self.pumps:  # all at once: each finishes the batch in hand, in parallel
            pump.signal_stop()
        # One deadline for all, so a stop takes seconds whatever the number of pumps; a pump still
        # busy then is abandoned (its thread is a daemon): the emulator's data ends with the process.
        deadline = time.monotonic() + STOP_SECONDS
        for pump in self.pumps:
            pump.join(max(0.0, deadline - time.monotonic()))
        self.emulator.stop()


def _reset_process_caches() -> None:
    get_settings.cache_clear()
    aws.reset_clients()
    keys.clear_caches()
