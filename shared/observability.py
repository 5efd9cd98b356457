"""Logging and metrics with a correlation id that follows a request through events.

The correlation and causation ids live in context variables: the HTTP layer sets them from the
request, the consumer from the event it handles, and the outbox stamps them on every event written
while they are set. Every log line carries them, read at the moment it is written, so threads that
serve different requests side by side (the local stack) never borrow each other's ids.

Logs are JSON lines on stdout with the keys Powertools' Logger writes (level, location, message,
timestamp, service, xray_trace_id, exception, exception_name, stack_trace), so log queries and
alarms written for Powertools keep working. Metrics are CloudWatch Embedded Metric Format lines in
the "Siyu" namespace with a service dimension, as Powertools' Metrics writes them. Both are our own
rather than Powertools': importing its Logger and Metrics loads forty of its modules, ~8 ms of
every function's cold start beyond what boto3 and pydantic load anyway, for a formatter and a
dictionary; and its appended keys are global, so concurrent requests in the local stack took each
other's correlation ids (docs/decisions.md).

The environment variables are Powertools' (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL or
LOG_LEVEL, POWERTOOLS_METRICS_DISABLED) and Lambda's trace header, read here rather than through
``shared.settings``: the trace header changes with every invocation, and logging has to work when
the settings fail to parse, to report it.

Tracing is Lambda's active tracing (infra/functions.py): it records every invocation, its cold
start and its duration without any SDK in the function. The X-Ray SDK (Powertools' Tracer) is not
used: its subsegments for each AWS call cost a third of a second of cold start and the calls'
count and latency are already in the logs and metrics (docs/decisions.md).
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, TypeVar

_UNDEFINED_SERVICE = "service_undefined"  # what Powertools writes when no service is named
_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FIELDS = "siyu_fields"  # the one LogRecord attribute our fields travel in


def _service() -> str:
    return os.environ.get("POWERTOOLS_SERVICE_NAME") or _UNDEFINED_SERVICE


def _level(level: str | int | None) -> int:
    chosen = level or os.environ.get("POWERTOOLS_LOG_LEVEL") or os.environ.get("LOG_LEVEL") or logging.INFO
    if isinstance(chosen, int):
        return chosen
    named = logging.getLevelName(chosen.strip().upper())
    # A mistyped level must not stop a function from starting: it logs at INFO instead.
    return named if isinstance(named, int) else logging.INFO


_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
_causation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("causation_id", default=None)


def correlation_id() -> str | None:
    return _correlation_id.get()


def causation_id() -> str | None:
    return _causation_id.get()


class _JsonLines(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        # Powertools' default shape in UTC: 2026-01-31 08:15:02,123+0000
        return f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(record.created))},{int(record.msecs):03d}+0000"

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "level": record.levelname,
            "location": f"{record.funcName}:{record.lineno}",
            "message": record.msg if isinstance(record.msg, dict) else record.getMessage(),
            "timestamp": self.formatTime(record),
            "service": self.service,
        }
        line.update(getattr(record, _FIELDS, {}))
        if record.exc_info and record.exc_info[0] is not None:
            kind, error, trace = record.exc_info
            line["exception"] = self.formatException(record.exc_info)
            line["exception_name"] = kind.__name__
            line["exception_notes"] = getattr(error, "__notes__", None)
            line["stack_trace"] = {
                "type": kind.__name__,
                "value": str(error),
                "module": type(error).__module__,
                "frames": [
                    {"file": frame.filename, "line": frame.lineno, "function": frame.name, "statement": frame.line}
                    for frame in traceback.extract_tb(trace)
                ],
            }
        trace_header = os.environ.get("_X_AMZN_TRACE_ID")  # set by Lambda for each invocation
        if trace_header:
            line["xray_trace_id"] = trace_header.split(";")[0].replace("Root=", "")
        return json.dumps(
            {key: value for key, value in line.items() if value is not None},
            default=str,
            ensure_ascii=False,  # Chinese stays readable in CloudWatch
            separators=(",", ":"),
        )


class _Stdout(logging.Handler):
    """Writes to ``sys.stdout`` as it is when the record is written, not as it was at import:
    Lambda's runtime and pytest's capture both replace it after our modules are loaded."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except Exception:  # logging's own contract: report a failed write, never raise into the caller
            self.handleError(record)


class Logger:
    """A structured logger with Powertools' calls: ``info(message, extra={...})``,
    ``exception(...)``, ``append_keys(...)`` and ``remove_keys([...])``.

    Appended keys belong to the current context (thread or task), as the correlation id does,
    so a key appended while serving one invocation never shows in another's lines."""

    def __init__(self, service: str | None = None, level: str | int | None = None) -> None:
        self.service = service or _service()
        self._logger = logging.Logger(self.service, _level(level))
        # Not propagated: Lambda's runtime and the local stack's basicConfig both put a handler on
        # the root logger, which would print every line a second time in their own format.
        self._logger.propagate = False
        handler = _Stdout()
        handler.setFormatter(_JsonLines(self.service))
        self._logger.addHandler(handler)
        self._keys: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
            f"log_keys_{id(self)}", default=None
        )

    @property
    def level(self) -> int:
        return self._logger.level

    def setLevel(self, level: str | int) -> None:  # the stdlib's and Powertools' name
        self._logger.setLevel(_level(level))

    def append_keys(self, **keys: Any) -> None:
        self._keys.set((self._keys.get() or {}) | keys)  # a new dict: other contexts keep theirs

    def remove_keys(self, keys: Iterable[str]) -> None:
        removed = set(keys)
        self._keys.set({key: value for key, value in (self._keys.get() or {}).items() if key not in removed})

    def current_keys(self) -> dict[str, Any]:
        return dict(self._keys.get() or {})

    def debug(self, msg: object, *args: object, extra: Mapping[str, Any] | None = None, exc_info: Any = None) -> None:
        self._log(logging.DEBUG, msg, args, extra, exc_info)

    def info(self, msg: object, *args: object, extra: Mapping[str, Any] | None = None, exc_info: Any = None) -> None:
        self._log(logging.INFO, msg, args, extra, exc_info)

    def warning(self, msg: object, *args: object, extra: Mapping[str, Any] | None = None, exc_info: Any = None) -> None:
        self._log(logging.WARNING, msg, args, extra, exc_info)

    def error(self, msg: object, *args: object, extra: Mapping[str, Any] | None = None, exc_info: Any = None) -> None:
        self._log(logging.ERROR, msg, args, extra, exc_info)

    def exception(
        self, msg: object, *args: object, extra: Mapping[str, Any] | None = None, exc_info: Any = True
    ) -> None:
        self._log(logging.ERROR, msg, args, extra, exc_info)

    def critical(
        self, msg: object, *args: object, extra: Mapping[str, Any] | None = None, exc_info: Any = None
    ) -> None:
        self._log(logging.CRITICAL, msg, args, extra, exc_info)

    def _log(
        self, level: int, msg: object, args: tuple[object, ...], extra: Mapping[str, Any] | None, exc_info: Any
    ) -> None:
        if not self._logger.isEnabledFor(level):
            return
        fields: dict[str, Any] = {"correlation_id": _correlation_id.get(), "causation_id": _causation_id.get()}
        fields.update(self._keys.get() or {})
        if extra:
            fields.update(extra)
        # The fields travel in one attribute, so that a field named like a LogRecord attribute
        # ("name", "module", "args"…) is logged rather than refused by the stdlib.
        # stacklevel 3: the caller of info()/exception(), not this method or its public wrapper.
        self._logger.log(level, msg, *args, exc_info=exc_info, extra={_FIELDS: fields}, stacklevel=3)


class MetricUnit(StrEnum):
    """CloudWatch's metric units, with the member names Powertools' ``MetricUnit`` uses."""

    Seconds = "Seconds"
    Microseconds = "Microseconds"
    Milliseconds = "Milliseconds"
    Bytes = "Bytes"
    Kilobytes = "Kilobytes"
    Megabytes = "Megabytes"
    Gigabytes = "Gigabytes"
    Terabytes = "Terabytes"
    Bits = "Bits"
    Kilobits = "Kilobits"
    Megabits = "Megabits"
    Gigabits = "Gigabits"
    Terabits = "Terabits"
    Percent = "Percent"
    Count = "Count"
    BytesPerSecond = "Bytes/Second"
    KilobytesPerSecond = "Kilobytes/Second"
    MegabytesPerSecond = "Megabytes/Second"
    GigabytesPerSecond = "Gigabytes/Second"
    TerabytesPerSecond = "Terabytes/Second"
    BitsPerSecond = "Bits/Second"
    KilobitsPerSecond = "Kilobits/Second"
    MegabitsPerSecond = "Megabits/Second"
    GigabitsPerSecond = "Gigabits/Second"
    TerabitsPerSecond = "Terabits/Second"
    CountPerSecond = "Count/Second"
    NoUnit = "None"


# EMF allows 100 metrics per line and 100 values per metric: a set that reaches either is written
# at once, as Powertools does, rather than dropped by CloudWatch.
_EMF_LIMIT = 100


class Metrics:
    """Metrics recorded during an invocation and written as one Embedded Metric Format line by
    ``flush_metrics`` (``lambda_entry`` calls it after every invocation)."""

    def __init__(self, namespace: str, service: str | None = None) -> None:
        self.namespace = namespace
        self.service = service or _service()
        # One set per thread: the local stack runs several invocations at once, each in its own
        # thread, and each invocation's flush must write what it recorded, not a neighbour's.
        self._recording = threading.local()

    @property
    def metric_set(self) -> dict[str, dict[str, Any]]:
        """What this thread's invocation has recorded so far."""
        if not hasattr(self._recording, "metric_set"):
            self._recording.metric_set = {}
        return self._recording.metric_set  # type: ignore[no-any-return]

    @staticmethod
    def disabled() -> bool:
        """Read at each flush, like Powertools: POWERTOOLS_METRICS_DISABLED, else POWERTOOLS_DEV."""
        setting = os.environ.get("POWERTOOLS_METRICS_DISABLED")
        if setting is None:
            setting = os.environ.get("POWERTOOLS_DEV", "")
        return setting.strip().lower() in _TRUE

    def add_metric(self, name: str, unit: MetricUnit | str, value: float) -> None:
        unit_name = unit.value if isinstance(unit, MetricUnit) else MetricUnit(unit).value
        metric = self.metric_set.setdefault(name, {"Unit": unit_name, "Value": []})
        metric["Value"].append(float(value))
        if len(self.metric_set) >= _EMF_LIMIT or len(metric["Value"]) >= _EMF_LIMIT:
            self.flush_metrics()

    def clear_metrics(self) -> None:
        self._recording.metric_set = {}

    def serialize_metric_set(self, metric_set: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        return {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": self.namespace,
                        "Dimensions": [["service"]],
                        "Metrics": [{"Name": name, "Unit": metric["Unit"]} for name, metric in metric_set.items()],
                    }
                ],
            },
            "service": self.service,
            **{
                name: metric["Value"][0] if len(metric["Value"]) == 1 else list(metric["Value"])
                for name, metric in metric_set.items()
            },
        }

    def single_metric(self, name: str, unit: MetricUnit | str, value: float, dimensions: Mapping[str, str]) -> None:
        """Write one metric at once under its own dimensions (Powertools' ``single_metric``), for
        the metrics alarms watch per resource, such as a consumer's failures per consumer name. The
        service travels along as a property (for log queries), not as a dimension, so an alarm names
        the metric by ``dimensions`` alone."""
        if self.disabled():
            return
        unit_name = unit.value if isinstance(unit, MetricUnit) else MetricUnit(unit).value
        line = {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": self.namespace,
                        "Dimensions": [list(dimensions)],
                        "Metrics": [{"Name": name, "Unit": unit_name}],
                    }
                ],
            },
            "service": self.service,
            **dimensions,
            name: float(value),
        }
        sys.stdout.write(json.dumps(line, separators=(",", ":"), ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def flush_metrics(self) -> None:
        """Write what was recorded as one EMF line and forget it; where metrics are disabled
        (the local stack) forget it without writing, so the set never grows across invocations."""
        recorded = self.metric_set
        self._recording.metric_set = {}
        if not recorded or self.disabled():
            return
        sys.stdout.write(json.dumps(self.serialize_metric_set(recorded), separators=(",", ":")) + "\n")
        sys.stdout.flush()


# Service names come from POWERTOOLS_SERVICE_NAME, set per function by infra/ (and by the local stack).
logger = Logger()
metrics = Metrics(namespace="Siyu")

LambdaHandler = TypeVar("LambdaHandler", bound=Callable[[dict[str, Any], Any], dict[str, Any]])


def lambda_entry(handler: LambdaHandler) -> LambdaHandler:
    """Every deployed entry point: Lambda context in the logs, metrics flushed."""

    @functools.wraps(handler)
    def entry(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if context is not None and hasattr(context, "aws_request_id"):
            logger.append_keys(request_id=context.aws_request_id, function=getattr(context, "function_name", ""))
        try:
            return handler(event, context)
        finally:
            metrics.flush_metrics()

    return entry  # type: ignore[return-value]


@contextmanager
def correlated(correlation: str, causation: str | None = None) -> Iterator[None]:
    corr_token = _correlation_id.set(correlation)
    cause_token = _causation_id.set(causation)
    try:
        yield
    finally:
        _correlation_id.reset(corr_token)
        _causation_id.reset(cause_token)


def count(name: str, value: int = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def count_per(name: str, dimensions: Mapping[str, str], value: int = 1) -> None:
    """A count under its own dimensions, written at once: see ``Metrics.single_metric``."""
    metrics.single_metric(name, MetricUnit.Count, value, dimensions)
