"""Logging, tracing and metrics with a correlation id that follows a request through events.

The correlation and causation ids live in context variables: the HTTP layer sets them from the
request, the consumer from the event it handles, and the outbox stamps them on every event written
while they are set.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service="siyu")
metrics = Metrics(namespace="Siyu", service="siyu")

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
