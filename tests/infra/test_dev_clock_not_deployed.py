"""The test clock (``/v1/dev/clock``, ``local/dev_clock.py``) is the local stack's alone: no route,
function or OpenAPI operation of the deployed API has it, and nothing deployed can move business
time (``shared.clock.set_offset_seconds`` is called from ``local/`` only)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from local.dev_clock import CLOCK_PATH, DEV_SERVICE, LOCAL_SERVICES, SCHEDULE_RUNS_PATH
from local.gateway import LocalGateway
from local.openapi_export import local_document
from services.platform import api as platform_api
from services.registry import SERVICES
from shared.settings import get_settings
from tests.infra.conftest import resources

ROOT = Path(__file__).resolve().parents[2]
DEV_PATHS = {CLOCK_PATH, SCHEDULE_RUNS_PATH}
DEV_KEYS = {"GET /v1/dev/clock", "POST /v1/dev/clock", "POST /v1/dev/schedules/{name}/runs"}


def is_dev(path: str) -> bool:
    return path.startswith("/v1/dev/")


@pytest.fixture
def deployed_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The platform API reads a deployed stage (its module only: a local stack running in this
    process keeps its own settings)."""
    monkeypatch.setattr(platform_api, "get_settings", lambda: dataclasses.replace(get_settings(), stage="prod"))


def test_the_local_stack_serves_the_clock_from_a_service_only_it_has() -> None:
    assert {route.key for route in DEV_SERVICE.routes} == DEV_KEYS
    assert all(route.local_only for route in DEV_SERVICE.routes)
    assert DEV_SERVICE not in SERVICES
    assert not [route.key for s in SERVICES for route in s.routes if is_dev(route.path)]
    assert LocalGateway((*SERVICES, *LOCAL_SERVICES)).route_keys() >= DEV_KEYS


def test_the_synthesised_app_has_no_dev_route_or_function(template: dict[str, Any]) -> None:
    routes = {r["Properties"]["RouteKey"] for _, r in resources(template, "AWS::ApiGatewayV2::Route")}
    assert len(routes) > 50  # the deployed API is there...
    assert "GET /v1/health" in routes
    assert not [key for key in routes if is_dev(key.split(" ", 1)[-1])]  # ...without the test clock
    handlers = {f["Properties"].get("Handler", "") for _, f in resources(template, "AWS::Lambda::Function")}
    assert not [handler for handler in handlers if handler.startswith("local.")]
    assert "dev_clock" not in json.dumps(template["Resources"])


@pytest.mark.usefixtures("deployed_settings")
def test_the_deployed_openapi_document_has_no_dev_path() -> None:
    paths = platform_api.openapi_document(SERVICES)["paths"]
    assert "/v1/contacts" in paths
    assert "/v1/auth/dev-token" not in paths  # the deployed document: local-only routes hidden
    assert not [path for path in paths if is_dev(path)]


def test_the_document_the_frontends_are_typed_from_has_no_dev_path() -> None:
    """``make web-client``'s document (the local one, with the dev sign-in) and its committed copy."""
    document = local_document()
    assert "/v1/auth/dev-token" in document["paths"]
    assert not [path for path in document["paths"] if is_dev(path)]
    committed = json.loads((ROOT / "web/shared/api/openapi.json").read_text(encoding="utf-8"))
    assert not [path for path in committed["paths"] if is_dev(path)]


def test_nothing_deployed_moves_business_time() -> None:
    """Only ``local/`` sets the offset: in AWS business time is the real time."""
    setter = re.compile(r"\bset_offset_seconds\b")
    callers = sorted(
        str(path.relative_to(ROOT))
        for top in ("services", "shared")
        for path in (ROOT / top).rglob("*.py")
        if "__pycache__" not in path.parts and setter.search(path.read_text(encoding="utf-8"))
    )
    assert callers == ["shared/clock.py"]  # where it is defined, and nowhere else
    assert setter.search((ROOT / "local/dev_clock.py").read_text(encoding="utf-8"))
