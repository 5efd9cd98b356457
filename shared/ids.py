"""Opaque identifiers that sort by creation time (ULID layout: 48-bit ms time + 80 random bits)."""

from __future__ import annotations

import secrets

from shared import clock

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: sortable, no ambiguous letters


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, index = divmod(value, 32)
        chars.append(_ALPHABET[index])
    return "".join(reversed(chars))


def new_id(prefix: str = "") -> str:
    # Business time (shared.clock): ranges over ids are taken from business moments (statements,
    # "cases since"), so ids follow the local test clock too.
    millis = int(clock.now_epoch() * 1000)
    return prefix + _encode(millis, 10) + _encode(secrets.randbits(80), 16)


def time_prefix(epoch_seconds: float) -> str:
    """The first characters of every id created at that millisecond: bounds for a time range."""
    return _encode(int(epoch_seconds * 1000), 10)
