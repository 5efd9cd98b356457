"""Scheduled (every 5 minutes): the confirmation and per-recipient results of the 群发 tasks
awaiting them, from the sparse due index of tasks (never a scan)."""

from __future__ import annotations

from typing import Any

from services.wecom.logic import mass_messages
from shared.observability import lambda_entry, logger


def _run(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = mass_messages.poll_due()
    logger.info("wecom mass message results polled", extra=report)
    return report


handler = lambda_entry(_run)
