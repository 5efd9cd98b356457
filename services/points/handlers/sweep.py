"""Scheduled: the hourly sweep over every tenant (expiry, warnings, tier reviews)."""

from __future__ import annotations

from typing import Any

from services.points.logic import sweep
from shared.observability import lambda_entry, logger


def _run(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = sweep.sweep()
    logger.info("points sweep done", extra=report.model_dump())
    return report.model_dump()


handler = lambda_entry(_run)
