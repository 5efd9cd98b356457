"""Scheduled (every minute): the broadcasts whose time has come and the journeys' waits that are
due and the staff tasks past due, read from their sparse due indexes (never a scan), and the day's
birthdays for date journeys."""

from __future__ import annotations

from typing import Any

from services.outreach.logic import journey_engine, planning, tasks
from shared.observability import lambda_entry, logger


def _run(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = {
        "broadcasts_started": planning.due_now(),
        **journey_engine.tick(),
        "birthdays_entered": journey_engine.sweep_dates(),
        "tasks_overdue": tasks.sweep_overdue(),
    }
    logger.info("outreach tick", extra=report)
    return report


handler = lambda_entry(_run)
