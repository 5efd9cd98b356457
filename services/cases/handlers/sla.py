"""Scheduled: the SLA sweep over every tenant (breaches, auto-close)."""

from __future__ import annotations

from typing import Any

from services.cases.logic import sla_sweep
from shared.observability import lambda_entry, logger


def _run(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = sla_sweep.sweep()
    logger.info("cases SLA sweep done", extra=report.model_dump())
    return report.model_dump()


handler = lambda_entry(_run)
