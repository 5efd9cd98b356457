"""Scheduled: the lifecycle sweep over every tenant (contacts whose next check is due)."""

from __future__ import annotations

from typing import Any

from services.contacts.logic import insight
from shared.observability import lambda_entry


def _run(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return insight.sweep().as_dict()


handler = lambda_entry(_run)
