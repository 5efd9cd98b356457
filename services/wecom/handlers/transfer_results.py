"""Scheduled (every 15 minutes): WeCom's results of the transfers awaiting them, from the sparse
due index of transfers (never a scan)."""

from __future__ import annotations

from typing import Any

from services.wecom.logic import transfers
from shared.observability import lambda_entry, logger


def _run(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = transfers.poll_due()
    logger.info("wecom transfer results polled", extra=report)
    return report


handler = lambda_entry(_run)
