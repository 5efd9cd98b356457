"""Fixtures shared by every kind of test."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# `make test` runs on two workers (pytest-xdist, --dist loadgroup). What shares a costly fixture
# stays on one worker: the infrastructure tests (one synth per session), the browser tests (one
# stack and one Chromium), the frontend build checks (tsc and Vitest use every core), and each
# end-to-end module (its own stack). Unit tests spread one by one.
_GROUPED = {"infra": "infra", "browser": "browser", "web": "web"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        area = Path(str(item.path)).relative_to(TESTS).parts[0]
        if area in _GROUPED:
            item.add_marker(pytest.mark.xdist_group(_GROUPED[area]))
        elif area == "e2e":
            item.add_marker(pytest.mark.xdist_group(f"e2e-{Path(str(item.path)).stem}"))
