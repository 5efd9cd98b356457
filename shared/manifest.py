"""Service declarations: the one place a service states its routes, events, subscriptions,
schedules and table. ``infra/`` builds AWS resources from these and the local stack wires itself
from the very same objects, so the two cannot drift apart unnoticed."""

from __future__ import annotations

import re
from typing import Any, Literal

from shared.auth.roles import STAFF_ROLES
from shared.values import Frozen

Access = Literal["public", "staff", "member", "any"]


class _Declaration(Frozen):
    """A service declaration: immutable and equal by value (see ``shared.values``); every function
    imports its service's declarations, so they must be cheap to build."""

    def __init__(self, **values: Any) -> None:
        self._set(**values)


class Route(_Declaration):
    __slots__ = ("access", "binary", "local_only", "method", "path", "roles")
    method: str
    path: str  # API Gateway syntax: /v1/contacts/{contact_id}
    access: Access
    roles: frozenset[str]  # staff roles allowed when access admits staff
    local_only: bool  # exists in the local stack only, never in the deployed API
    binary: bool  # answers bytes (images), base64-encoded in the Lambda response

    def __init__(
        self,
        method: str,
        path: str,
        access: Access,
        roles: frozenset[str] = STAFF_ROLES,
        local_only: bool = False,
        binary: bool = False,
    ) -> None:
        super().__init__(method=method, path=path, access=access, roles=roles, local_only=local_only, binary=binary)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def resolver_path(self) -> str:
        """The same path in Powertools' ``<param>`` syntax."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)


class Index(_Declaration):
    __slots__ = ("name", "partition_key", "sort_key")
    name: str
    partition_key: str
    sort_key: str

    def __init__(self, name: str, partition_key: str, sort_key: str) -> None:
        super().__init__(name=name, partition_key=partition_key, sort_key=sort_key)


# Every table has the same key and expiry attributes: shared/ writes items with these names into
# every service's table (outbox events, inbox markers, idempotency records, conditional creates),
# so they are not a service's choice.
PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expires_at_epoch"


class Table(_Declaration):
    """A service's table: ``PARTITION_KEY``/``SORT_KEY`` strings, items expiring at
    ``TTL_ATTRIBUTE`` (epoch seconds), and the global secondary indexes declared here."""

    __slots__ = ("indexes",)
    indexes: tuple[Index, ...]

    def __init__(self, indexes: tuple[Index, ...] = ()) -> None:
        super().__init__(indexes=indexes)


class Consumer(_Declaration):
    """A subscription: its own queue, dead-letter queue and function, fed by its own rules."""

    __slots__ = ("batch_size", "handler", "max_receive_count", "name", "patterns", "visibility_timeout_seconds")
    name: str
    handler: str  # "module.path.function"
    patterns: tuple[dict[str, Any], ...]  # one EventBridge rule per pattern
    batch_size: int
    max_receive_count: int
    visibility_timeout_seconds: int

    def __init__(
        self,
        name: str,
        handler: str,
        patterns: tuple[dict[str, Any], ...],
        batch_size: int = 10,
        max_receive_count: int = 5,
        visibility_timeout_seconds: int = 60,
    ) -> None:
        super().__init__(
            name=name,
            handler=handler,
            patterns=patterns,
            batch_size=batch_size,
            max_receive_count=max_receive_count,
            visibility_timeout_seconds=visibility_timeout_seconds,
        )


class Schedule(_Declaration):
    __slots__ = ("expression", "handler", "name")
    name: str
    handler: str
    expression: str  # EventBridge Scheduler syntax: rate(1 day) or cron(...)

    def __init__(self, name: str, handler: str, expression: str) -> None:
        super().__init__(name=name, handler=handler, expression=expression)


class Service(_Declaration):
    __slots__ = (
        "api_handler",
        "consumers",
        "layers",
        "name",
        "publishes",
        "reads_token_secret",
        "reads_wechat_secret",
        "routes",
        "schedules",
        "table",
    )
    name: str
    api_handler: str | None
    routes: tuple[Route, ...]
    publishes: tuple[str, ...]  # detail-types, each with a contract in shared.events
    consumers: tuple[Consumer, ...]
    schedules: tuple[Schedule, ...]
    table: Table | None
    # Extra permissions a function of the service needs beyond its own table and bus source.
    reads_token_secret: bool
    reads_wechat_secret: bool
    # Pure-Python packages the API function needs beyond the Powertools layer (see infra/layers.py).
    layers: tuple[str, ...]

    def __init__(
        self,
        name: str,
        api_handler: str | None = None,
        routes: tuple[Route, ...] = (),
        publishes: tuple[str, ...] = (),
        consumers: tuple[Consumer, ...] = (),
        schedules: tuple[Schedule, ...] = (),
        table: Table | None = None,
        reads_token_secret: bool = False,
        reads_wechat_secret: bool = False,
        layers: tuple[str, ...] = (),
    ) -> None:
        super().__init__(
            name=name,
            api_handler=api_handler,
            routes=routes,
            publishes=publishes,
            consumers=consumers,
            schedules=schedules,
            table=table,
            reads_token_secret=reads_token_secret,
            reads_wechat_secret=reads_wechat_secret,
            layers=layers,
        )

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
