"""Scheduled: the sweep over every tenant: contacts whose stage or lead grade may change with
time, then contacts whose segments may (both read from due indexes, never the table)."""

from __future__ import annotations

from typing import Any

from services.contacts.logic import insight, segments
from shared.observability import lambda_entry


def _run(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = insight.sweep().as_dict()
    return {**report, "segments": segments.sweep()}


handler = lambda_entry(_run)
