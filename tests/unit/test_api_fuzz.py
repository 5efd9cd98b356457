"""Every operation of the OpenAPI document, fuzzed by schemathesis against the local stack in this
process: valid and invalid parameters and bodies, sent with a token that gets past authorisation.
No answer is a 5xx, every answer's status and content type are documented for its operation, and
every body (problem+json for errors) is valid against its documented schema.

The document is the one the API serves (``GET /v1/openapi.json``), so a route added tomorrow is
fuzzed without editing this test. The run is deterministic (a fixed seed): what fails in CI fails
on a laptop too. Budget: ``MAX_EXAMPLES`` generated cases per operation and mode, plus
schemathesis' coverage phase (boundary values of each parameter and field).

The segment routes skip the coverage phase: their body is a recursive rule (and/or/not up to five
levels), whose boundary cases took schemathesis a minute to build each run; their generation
phase still sends valid and invalid rules, and tests/unit/test_segments.py covers the rule's
every 422.
"""

from __future__ import annotations

import http
import os
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from local.gateway import LocalGateway
from local.stack import LocalStack
from services.platform.api import openapi_document
from services.registry import SERVICES
from tests.unit.conftest import Client

if os.environ.get("PYTEST_XDIST_WORKER"):  # it would run 2 of its ~90 tests and say nothing
    pytest.fail(
        "tests/unit/test_api_fuzz.py runs without -n (make test runs it on its own): schemathesis "
        "generates one test per operation, which xdist workers cannot share",
        pytrace=False,
    )

MAX_EXAMPLES = 10
SEED = 20_260_101
CONFIG = f"""
seed = {SEED}

[generation]
max-examples = {MAX_EXAMPLES}
deterministic = true
no-shrink = true
database = "none"

[phases.examples]
enabled = false

[phases.stateful]
enabled = false

[[operations]]
include-path-regex = "^/v1/segments"
phases.coverage.enabled = false
"""
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ACCESS = {(route.method, route.path): route.access for service in SERVICES for route in service.routes}


class InProcess:
    """The local gateway as a WSGI application, what schemathesis calls in process. The document
    is read when tests are collected; the stack it will call starts with the first test."""

    def __init__(self) -> None:
        self.gateway: LocalGateway | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        assert self.gateway is not None, "the stack fixture has not started"
        target = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/")
        if environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {key[5:].replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        answer = self.gateway.handle(environ["REQUEST_METHOD"], target, headers, body)
        start_response(f"{answer.status} {http.HTTPStatus(answer.status).phrase}", list(answer.headers.items()))
        return [answer.body]


DOCUMENT = openapi_document(SERVICES)  # what GET /v1/openapi.json serves (checked below)
APP = InProcess()


schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_str(CONFIG))
schema.app = APP


# Path values that name records of the fuzzing tenant: half the generated cases use them, so that
# operations are fuzzed on records that exist, not only answered 404.
KNOWN: dict[str, str] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    if not path_parameters:
        return st.just(path_parameters)
    known = {name: KNOWN.get(name, value) for name, value in path_parameters.items()}
    return st.sampled_from([path_parameters, known])


@pytest.fixture(scope="module")
def tokens(stack: LocalStack) -> dict[str, str]:
    """An admin and a member of one tenant of its own, so that every route gets past
    authorisation, and a record of each kind for the path values to name."""
    assert stack.gateway is not None
    APP.gateway = stack.gateway
    client = Client(stack)
    tenant = f"fuzz-{uuid.uuid4().hex[:8]}"
    admin = client.staff_token(tenant)
    member = client.member_login(tenant, "dev:o-fuzz")

    def created(method: str, path: str, body: dict[str, Any], token: str = admin) -> dict[str, Any]:
        answer = client.request(method, path, json_body=body, token=token)
        assert answer.status < 300, (path, answer.body)
        return dict(answer.json)

    contact_id = member["contact_id"]
    created("PUT", f"/v1/contacts/{contact_id}/tags/vip", {})
    created("PUT", "/v1/queues/fuzz-queue", {"name": "Fuzz", "is_default": True})
    created("PUT", "/v1/agents/fuzz-agent", {"queues": ["fuzz-queue"]})
    created("PUT", "/v1/channels/wechat/wx-fuzz", {"token": "fuzztoken"})
    window = {"starts_at": "2026-01-01T00:00:00Z", "ends_at": "2036-01-01T00:00:00Z"}
    campaign_id = created("POST", "/v1/campaigns", {"name": "Fuzz", **window})["campaign_id"]
    code = created("POST", f"/v1/campaigns/{campaign_id}/codes", {"channel": "poster"})["code"]
    case_id = created("POST", "/v1/me/cases", {"type": "complaint", "subject": "Fuzz"}, member["token"])["case_id"]
    message_id = created("POST", f"/v1/cases/{case_id}/messages", {"body": "Hello", "kind": "note"})["message_id"]
    article_id = created("POST", "/v1/kb/articles", {"title": "Fuzz", "body": "Fuzz"})["article_id"]
    reward_id = created("POST", "/v1/rewards", {"name": "Fuzz", "cost": 1})["reward_id"]
    created("POST", f"/v1/contacts/{contact_id}/points/adjustments", {"points": 1000, "reason": "fuzz"})
    redemption_id = created("POST", "/v1/me/redemptions", {"reward_id": reward_id}, member["token"])["redemption_id"]
    KNOWN.update(
        contact_id=contact_id,
        tag="vip",
        queue_id="fuzz-queue",
        staff_id="fuzz-agent",
        app_id="wx-fuzz",
        campaign_id=campaign_id,
        code=code,
        case_id=case_id,
        message_id=message_id,
        article_id=article_id,
        reward_id=reward_id,
        redemption_id=redemption_id,
    )
    return {"staff": admin, "member": member["token"]}


def test_the_fuzzed_document_is_the_one_the_api_serves(client: Client) -> None:
    assert client.get("/v1/openapi.json").json == DOCUMENT


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case: Any, tokens: dict[str, str]) -> None:
    access = ACCESS[(case.operation.method.upper(), case.operation.path)]
    token = tokens["member"] if access == "member" else tokens["staff"] if access != "public" else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    case.call_and_validate(headers=headers, checks=CHECKS)
