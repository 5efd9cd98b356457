"""Time in one place: RFC 3339 UTC strings, so tests and logic agree on the format."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_rfc3339() -> str:
    return rfc3339(utc_now())


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 string (as ``rfc3339`` writes them) back to an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
