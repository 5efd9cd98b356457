"""Scheduled (``wecom-nightly``): for each tenant with a corp, a directory sync, a reconciliation
of relationships and a group sync, as jobs (``logic/nightly.py``)."""

from __future__ import annotations

from typing import Any

from services.wecom.logic import nightly
from shared.observability import lambda_entry


def _run(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return nightly.run()


handler = lambda_entry(_run)
