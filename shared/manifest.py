"""Service declarations: the one place a service states its routes, events, subscriptions,
schedules and table. ``infra/`` builds AWS resources from these and the local stack wires itself
from the very same objects, so the two cannot drift apart unnoticed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from shared.auth.roles import STAFF_ROLES

Access = Literal["public", "staff", "member", "any"]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway syntax: /v1/contacts/{contact_id}
    access: Access
    roles: frozenset[str] = STAFF_ROLES  # staff roles allowed when access admits staff
    local_only: bool = False  # exists in the local stack only, never in the deployed API
    binary: bool = False  # answers bytes (images), base64-encoded in the Lambda response

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def resolver_path(self) -> str:
        """The same path in Powertools' ``<param>`` syntax."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str


# Every table has the same key and expiry attributes: shared/ writes items with these names into
# every service's table (outbox events, inbox markers, idempotency records, conditional creates),
# so they are not a service's choice.
PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expires_at_epoch"


@dataclass(frozen=True)
class Table:
    """A service's table: ``PARTITION_KEY``/``SORT_KEY`` strings, items expiring at
    ``TTL_ATTRIBUTE`` (epoch seconds), and the global secondary indexes declared here."""

    indexes: tuple[Index, ...] = ()


@dataclass(frozen=True)
class Consumer:
    """A subscription: its own queue, dead-letter queue and function, fed by its own rules."""

    name: str
    handler: str  # "module.path.function"
    patterns: tuple[dict[str, Any], ...]  # one EventBridge rule per pattern
    batch_size: int = 10
    max_receive_count: int = 5
    visibility_timeout_seconds: int = 60


@dataclass(frozen=True)
class Schedule:
    name: str
    handler: str
    expression: str  # EventBridge Scheduler syntax: rate(1 day) or cron(...)


@dataclass(frozen=True)
class Service:
    name: str
    api_handler: str | None = None
    routes: tuple[Route, ...] = ()
    publishes: tuple[str, ...] = ()  # detail-types, each with a contract in shared.events
    consumers: tuple[Consumer, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    table: Table | None = None
    # Extra permissions a function of the service needs beyond its own table and bus source.
    reads_token_secret: bool = False
    reads_wechat_secret: bool = False
    # Pure-Python packages the API function needs beyond the Powertools layer (see infra/layers.py).
    layers: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return f"siyu.{self.name}"

    @property
    def publisher_handler(self) -> str | None:
        return "shared.publisher.handler" if self.table is not None and self.publishes else None


def resolve_handler(dotted: str) -> Any:
    """Import "package.module.function" lazily, as the Lambda runtime does."""
    import importlib

    module_name, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)
