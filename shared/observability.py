"""Logging and metrics with a correlation id that follows a request through events.

The correlation and causation ids live in context variables: the HTTP layer sets them from the
request, the consumer from the event it handles, and the outbox stamps them on every event written
while they are set.

Tracing is Lambda's active tracing (infra/functions.py): it records every invocation, its cold
start and its duration without any SDK in the function. The X-Ray SDK (Powertools' Tracer) is not
used: its subsegments for each AWS call cost a third of a second of cold start and the calls'
count and latency are already in the logs and metrics (docs/decisions.md).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

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
            if metrics.metric_set:  # nothing recorded, nothing to emit
                metrics.flush_metrics()
                # Where metrics are disabled (locally) a flush neither prints nor clears: without this
                # the set would grow until Powertools' automatic flush at 100 values printed it anyway.
                metrics.clear_metrics()

    return entry  # type: ignore[return-value]


_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
_causation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("causation_id", default=None)


def correlation_id() -> str | None:
    return _correlation_id.get()


def causation_id() -> str | None:
    return _causation_id.get()


@contextmanager
def correlated(correlation: str, causation: str | None = None) -> Iterator[None]:
    corr_token = _correlation_id.set(correlation)
    cause_token = _causation_id.set(causation)
    logger.append_keys(correlation_id=correlation)
    try:
        yield
    finally:
        _correlation_id.reset(corr_token)
        _causation_id.reset(cause_token)
        logger.remove_keys(["correlation_id"])


def count(name: str, value: int = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
