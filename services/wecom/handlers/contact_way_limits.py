"""Scheduled (every 15 minutes): a new business day puts the staff members at a code's daily add
limit back in its rotation, read from the sparse restore index (never a scan)."""

from __future__ import annotations

from typing import Any

from services.wecom.logic import contact_ways
from shared.observability import lambda_entry, logger


def _run(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = contact_ways.restore_due()
    logger.info("wecom contact way rotations restored", extra=report)
    return report


handler = lambda_entry(_run)
