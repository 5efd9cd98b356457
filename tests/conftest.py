"""Fixtures shared by every kind of test."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

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


def work_group(nodeid: str) -> str | None:
    """The group a test runs in, from its path (``tests/<area>/test_x.py::...``); None: on its own."""
    path = Path(nodeid.split("::", 1)[0])
    area = path.parts[1] if len(path.parts) > 2 and path.parts[0] == TESTS.name else ""
    if area in _GROUPED:
        return _GROUPED[area]
    if area == "e2e":
        return f"e2e-{path.stem}"
    return None


# The groups are given to xdist's scheduler directly, not as `xdist_group` marks: xdist reads a
# mark by appending it to the test's node id, which pytest 9.2 no longer lets a plugin change, so
# the marks were silently ignored (every test its own unit of work, each costly fixture built on
# both workers, a module's stack again whenever its tests took turns with others).
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

    class ByWorkGroup(LoadScopeScheduling):  # type: ignore[misc]
        """Each group one unit of work (the largest handed out first), every other test its own."""

        def _split_scope(self, nodeid: str) -> str:
            return work_group(nodeid) or nodeid

    return ByWorkGroup(config, log)
