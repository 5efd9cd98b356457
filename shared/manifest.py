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
    """A subscription: its own queue, dead-letter queue and function, fed by its own rules.

    The queue's visibility timeout is at least six times the function's timeout (AWS's advice for
    SQS event sources: a batch that is retried or throttled must not become visible again while a
    run still holds it). Give one of them; the other follows (10 s and 60 s when neither is).
    """

    __slots__ = (
        "batch_size",
        "handler",
        "max_receive_count",
        "name",
        "patterns",
        "timeout_seconds",
        "visibility_timeout_seconds",
    )
    name: str
    handler: str  # "module.path.function"
    patterns: tuple[dict[str, Any], ...]  # one EventBridge rule per pattern
    batch_size: int
    max_receive_count: int
    visibility_timeout_seconds: int
    timeout_seconds: int  # the function's

    def __init__(
        self,
        name: str,
        handler: str,
        patterns: tuple[dict[str, Any], ...],
        batch_size: int = 10,
        max_receive_count: int = 5,
        visibility_timeout_seconds: int | None = None,
        timeout_seconds: int | None = None,
    ) -> None:
        if timeout_seconds is None:
            timeout_seconds = (
                visibility_timeout_seconds or DEFAULT_CONSUMER_VISIBILITY_SECONDS
            ) // VISIBILITY_PER_TIMEOUT
        if visibility_timeout_seconds is None:
            visibility_timeout_seconds = timeout_seconds * VISIBILITY_PER_TIMEOUT
        if timeout_seconds < 1 or visibility_timeout_seconds < timeout_seconds * VISIBILITY_PER_TIMEOUT:
            raise ValueError(
                f"{name}: the visibility timeout ({visibility_timeout_seconds} s) must be at least "
                f"{VISIBILITY_PER_TIMEOUT} times the function's ({timeout_seconds} s)"
            )
        super().__init__(
            name=name,
            handler=handler,
            patterns=patterns,
            batch_size=batch_size,
            max_receive_count=max_receive_count,
            visibility_timeout_seconds=visibility_timeout_seconds,
            timeout_seconds=timeout_seconds,
        )


VISIBILITY_PER_TIMEOUT = 6
DEFAULT_CONSUMER_VISIBILITY_SECONDS = 60


class Schedule(_Declaration):
    """A job run by EventBridge Scheduler. Runs never overlap (the function may run once at a
    time), and a run must end before the next is due: ``timeout_seconds`` defaults to five sixths
    of the interval of a ``rate()`` (50 s for every minute), at most Lambda's 900 s cap and by
    default at most 300 s."""

    __slots__ = ("expression", "handler", "name", "timeout_seconds")
    name: str
    handler: str
    expression: str  # EventBridge Scheduler syntax: rate(1 day) or cron(...)
    timeout_seconds: int

    def __init__(self, name: str, handler: str, expression: str, timeout_seconds: int | None = None) -> None:
        interval = schedule_interval_seconds(expression)
        if timeout_seconds is None:
            timeout_seconds = min(DEFAULT_SCHEDULE_TIMEOUT_SECONDS, interval * 5 // 6)
        if not 1 <= timeout_seconds <= min(interval - 1, LAMBDA_MAX_TIMEOUT_SECONDS):
            raise ValueError(f"{name}: a run must end before the next is due ({expression}): timeout {timeout_seconds}")
        super().__init__(name=name, handler=handler, expression=expression, timeout_seconds=timeout_seconds)

    @property
    def interval_seconds(self) -> int:
        return schedule_interval_seconds(self.expression)


DEFAULT_SCHEDULE_TIMEOUT_SECONDS = 300
LAMBDA_MAX_TIMEOUT_SECONDS = 900
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
# A cron() at one minute of one hour of every day: daily.
_DAILY_CRON = re.compile(r"^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$")
# Any other cron() and at() can fire as often as every minute: count them as per-minute.
_SHORTEST_INTERVAL_SECONDS = 60


def schedule_interval_seconds(expression: str) -> int:
    """The time between two runs of a ``rate()`` expression or a daily ``cron()``; a minute for
    anything else."""
    if _DAILY_CRON.match(expression):
        return _UNIT_SECONDS["day"]
    found = _RATE.match(expression)
    if not found:
        return _SHORTEST_INTERVAL_SECONDS
    return int(found.group(1)) * _UNIT_SECONDS[found.group(2).rstrip("s")]


class Service(_Declaration):
    __slots__ = (
        "api_handler",
        "consumers",
        "files",
        "keeps_secrets",
        "layers",
        "name",
        "publishes",
        "reads_files",
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
    # Layers the API function needs beyond the base layer (pydantic), named by the package it
    # imports (infra/layers.py LAYERS); every layer is built from uv.lock for the Lambda platform.
    layers: tuple[str, ...]
    # Uses the file store (shared/files.py): its functions get the files bucket and may Get/Put
    # objects under ``<service>/`` only (imports, exports).
    files: bool
    # Prefixes of other services' files its functions may also read (Get only): contacts reads
    # the parts of a PIPL export that the other services wrote under ``<service>/exports/``.
    reads_files: tuple[str, ...]
    # Keeps tenants' secrets of its own in Secrets Manager, named ``siyu-<stage>/<keeps_secrets>/…``
    # (WeCom corps' tokens, keys and app secrets): its functions may create, read and write those.
    keeps_secrets: str | None

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
        files: bool = False,
        reads_files: tuple[str, ...] = (),
        keeps_secrets: str | None = None,
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
            files=files,
            reads_files=reads_files,
            keeps_secrets=keeps_secrets,
        )

    @property
    def source(self) -> str:
        return f"siyu.{self.name}"

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret settings (fields of ``shared.settings.Settings``) every function of the
        service is given with the right to read them, the outbox publisher excepted (it runs
        shared code that reads none)."""
        declared = (("token_secret_arn", self.reads_token_secret), ("wechat_secret_arn", self.reads_wechat_secret))
        return tuple(name for name, reads in declared if reads)

    @property
    def publisher_handler(self) -> str | None:
        return "shared.publisher.handler" if self.table is not None and self.publishes else None


def resolve_handler(dotted: str) -> Any:
    """Import "package.module.function" lazily, as the Lambda runtime does."""
    import importlib

    module_name, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)
