"""The one read-decide-write retry loop: a write that lost a race with another writer (its
condition failed because the record moved) reads fresh state and decides again."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from shared.errors import ConcurrentUpdate

T = TypeVar("T")
ATTEMPTS = 5


def pause(attempt: int) -> None:
    """Jittered, growing back-off so that racing writers stop colliding in lockstep."""
    time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))  # noqa: S311 - jitter, not security


def retry_on_race(
    attempt: Callable[[int], T],
    *,
    races: type[Exception] | tuple[type[Exception], ...] = ConcurrentUpdate,
    attempts: int = ATTEMPTS,
    exhausted: Callable[[], Exception] | None = None,
    backoff: bool = True,
) -> T:
    """Run ``attempt(n)`` until it returns; each of ``races`` it raises means "read again and
    retry". After the last attempt the race is raised (or ``exhausted()``, when given).

    ``attempt`` must re-read what it decides on: the retry is only safe because every write it
    makes is conditional on the state it read."""
    for number in range(attempts):
        try:
            return attempt(number)
        except races:
            if number + 1 == attempts:
                if exhausted is not None:
                    raise exhausted() from None
                raise
            if backoff:
                pause(number)
    raise AssertionError("attempts must be at least 1")
