"""Scheduled: the nightly RFM batch over every tenant (``logic/rfm.py``)."""

from __future__ import annotations

from typing import Any

from services.contacts.logic import rfm
from shared.observability import lambda_entry


def _run(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return rfm.run().__dict__


handler = lambda_entry(_run)
