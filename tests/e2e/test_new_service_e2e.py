"""A new service, added the way the README says (a folder under services/ with its declaration,
handlers, logic and DAL, and nothing else), is deployed by CDK, served by the local stack and
documented in the OpenAPI document. The fixture service lives in tests/fixtures/new_service/ and
is put beside the real services for the test only."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.e2e.conftest import running_stack

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "new_service"

pytestmark = pytest.mark.e2e
WANG = "/v1/greetings/" + quote("王芳")  # a client percent-encodes the path; the service sees 王芳


def _with_fixture_services(tmp_path: Path) -> Path:
    extra = tmp_path / "extra_services"
    shutil.copytree(FIXTURE, extra)
    return extra


def test_a_new_service_folder_is_served_by_the_local_stack_and_documented(tmp_path: Path) -> None:
    extra = _with_fixture_services(tmp_path)
    # `python -m local`, with the fixture folder as one more place where services live.
    command = [
        sys.executable,
        "-c",
        f"import runpy, services; services.__path__.append({str(extra)!r}); "
        "runpy.run_module('local', run_name='__main__', alter_sys=True)",
    ]
    with running_stack(tmp_path, command) as http:
        assert http.call("GET", "/v1/health/greetings") == (200, {"status": "ok", "service": "greetings"})
        admin = http.staff_token("t-greet")
        assert http.call("PUT", WANG, {"text": "你好"}, token=admin) == (
            200,
            {"name": "王芳", "text": "你好"},
        )
        assert http.call("GET", WANG, token=admin) == (200, {"name": "王芳", "text": "你好"})
        assert http.call("GET", WANG, token=http.staff_token("t-other"))[0] == 404
        assert http.call("GET", WANG)[0] == 401
        status, document = http.call("GET", "/v1/openapi.json")
        assert status == 200
        assert {"get", "put"} <= set(document["paths"]["/v1/greetings/{name}"])
        assert document["paths"]["/v1/greetings/{name}"]["put"]["tags"] == ["greetings"]


def test_a_new_service_folder_is_deployed_by_cdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import services
    from app import build_app
    from services.registry import discover

    extra = _with_fixture_services(tmp_path)
    monkeypatch.setattr(services, "__path__", [*services.__path__, str(extra)])
    found = discover()
    assert "greetings" in [service.name for service in found]

    app = build_app("dev", str(tmp_path / "cdk.out"), services=found)
    assembly = app.synth()  # the platform stack and one stack per service
    resources = [r for stack in assembly.stacks for r in stack.template["Resources"].values()]
    handlers = {r["Properties"].get("Handler") for r in resources if r["Type"] == "AWS::Lambda::Function"}
    assert "services.greetings.handlers.api.handler" in handlers
    routes = {r["Properties"]["RouteKey"] for r in resources if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert {"PUT /v1/greetings/{name}", "GET /v1/greetings/{name}", "GET /v1/health/greetings"} <= routes
    tables = [r for r in resources if r["Type"] == "AWS::DynamoDB::Table"]
    assert len(tables) == 1 + sum(1 for s in found if s.table is not None and s.name != "greetings")
