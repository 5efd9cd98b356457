"""Time in one place: RFC 3339 UTC strings, so tests and logic agree on the format, and business
time, which every due date, expiry, SLA, window and decay is reckoned in.

Business time is the real time plus an offset. The offset is a process-level value, 0 unless the
local stack's test clock (``local/dev_clock.py``, ``/v1/dev/clock``) moves it forward; nothing
deployed sets it (``tests/infra/test_dev_clock_not_deployed.py``), so in AWS business time is the
real time. What must stay on real time uses ``time.time()`` directly: token lifetimes (PyJWT
checks them against real time), DynamoDB TTLs of housekeeping items, metrics timestamps, caches.

Imported by every function: the standard library's ``time`` and ``datetime`` only.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

_offset_seconds = 0.0
"""Business time minus real time. One float: reads and writes of it are atomic across threads."""


def offset_seconds() -> float:
    """How far business time is ahead of real time (0 everywhere but a local stack's test clock)."""
    return _offset_seconds


def set_offset_seconds(seconds: float) -> None:
    """The local stack's test clock only (``local/dev_clock.py``): no deployed module calls it."""
    global _offset_seconds  # noqa: PLW0603 - the one process-level value this module exists for
    _offset_seconds = float(seconds)


def now_epoch() -> float:
    """Business time in epoch seconds."""
    return time.time() + _offset_seconds


def utc_now() -> datetime:
    """Business time as an aware UTC datetime."""
    now = datetime.now(UTC)
    return now + timedelta(seconds=_offset_seconds) if _offset_seconds else now


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_rfc3339() -> str:
    return rfc3339(utc_now())


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 string (as ``rfc3339`` writes them) back to an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
