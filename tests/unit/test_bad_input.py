"""Bad input a probe found (issue 12, point 8), answered 4xx before any handler runs, on every
route it applies to: the routes come from the declarations and the fields from the OpenAPI
document, so a new route or field is covered without editing this file.

"Changes nothing" is shown by the handler itself: each route's function is swapped for one that
records being called, and none is. A refusal that comes before the handler cannot write.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from local.stack import LocalStack
from services.platform.api import openapi_document
from services.registry import SERVICES
from shared.http import ServiceApi, _Registered
from shared.manifest import Route, resolve_handler
from tests.unit.conftest import Client

PROBLEM_JSON = "application/problem+json"
DOCUMENT = openapi_document(SERVICES)
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]


def service_api(route: Route) -> ServiceApi:
    service = next(s for s in SERVICES if route in s.routes)
    assert service.api_handler is not None
    api: ServiceApi = resolve_handler(service.api_handler.rsplit(".", 1)[0] + ".api")
    return api


def registered(route: Route) -> _Registered:
    return service_api(route).handlers[route.key]


def routes_with_a_body(*, json_only: bool) -> list[Route]:
    found = []
    for service in SERVICES:
        for route in service.routes:
            if route.key not in service_api(route).handlers:
                continue
            serving = registered(route)
            if serving.takes_body and (serving.consumes is None or not json_only):
                found.append(route)
    return found


BODY_ROUTES = routes_with_a_body(json_only=False)
JSON_ROUTES = routes_with_a_body(json_only=True)


@pytest.fixture(scope="module")
def world(stack: LocalStack) -> dict[str, str]:
    client = Client(stack)
    return {
        "staff": client.staff_token("bad-input"),
        "member": client.member_login("bad-input", "dev:o-bad-input")["token"],
    }


@pytest.fixture
def untouched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every route's handler swapped for one that records its call: the list must stay empty."""
    called: list[str] = []
    for service in SERVICES:
        for route in service.routes:
            api = service_api(route) if service.api_handler else None
            serving = api.handlers.get(route.key) if api else None
            if serving is None:
                continue
            serving.bound()  # the binding is read from the real handler, before it is swapped

            def record(*args: Any, _key: str = route.key, **kwargs: Any) -> None:
                called.append(_key)

            monkeypatch.setattr(serving, "function", record)
    return called


def send(client: Client, route: Route, raw: bytes, world: dict[str, str], content_type: str) -> Any:
    path = route.path
    for name in (
        "contact_id",
        "campaign_id",
        "case_id",
        "message_id",
        "article_id",
        "staff_id",
        "queue_id",
        "group_id",
        "rule_id",
        "segment_id",
        "job_id",
        "template_id",
        "broadcast_id",
        "journey_id",
        "task_id",
    ):
        path = path.replace("{" + name + "}", "x1")
    for name in ("tag", "code", "app_id", "reward_id", "redemption_id", "tenant_id"):
        path = path.replace("{" + name + "}", "x1")
    assert "{" not in path, path
    token = None if route.access == "public" else world["member"] if route.access == "member" else world["staff"]
    return client.request(route.method, path, raw=raw, token=token, headers={"Content-Type": content_type})


NOT_JSON_BODIES = {
    "not-utf-8": b'{"name": "\xff\xfe"}',
    "nested-100000-deep": b"[" * 100_000 + b"]" * 100_000,
    "integer-of-5000-digits": b'{"points": ' + b"7" * 5000 + b"}",
    "lone-surrogate": b'{"name": "\\ud800"}',
}


@pytest.mark.parametrize("route", JSON_ROUTES, ids=[route.key for route in JSON_ROUTES])
@pytest.mark.parametrize("kind", list(NOT_JSON_BODIES))
def test_a_body_that_cannot_be_read_is_a_400_before_any_handler_runs(
    client: Client, world: dict[str, str], untouched: list[str], route: Route, kind: str
) -> None:
    answer = send(client, route, NOT_JSON_BODIES[kind], world, "application/json")
    assert answer.status == 400, answer.body[:300]
    assert answer.headers["Content-Type"] == PROBLEM_JSON
    assert answer.json["title"] == "Malformed body"
    assert untouched == []


@pytest.mark.parametrize("route", BODY_ROUTES, ids=[route.key for route in BODY_ROUTES])
def test_a_body_that_is_not_utf8_is_a_400_on_every_route_with_a_body(
    client: Client, world: dict[str, str], untouched: list[str], route: Route
) -> None:
    xml = "<xml><Content>我要投诉</Content></xml>".encode("gb18030")
    answer = send(client, route, xml, world, registered(route).consumes or "application/json")
    assert answer.status == 400, answer.body[:300]
    assert answer.headers["Content-Type"] == PROBLEM_JSON
    assert answer.json["detail"] == "The body is not valid UTF-8."
    assert untouched == []


def test_the_wechat_callback_is_among_the_routes_refusing_bodies_that_are_not_utf8() -> None:
    assert "POST /v1/channels/wechat/{app_id}/messages" in {route.key for route in BODY_ROUTES}


# Fields of the request bodies, from the OpenAPI document -------------------------------------
def resolved(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema itself: a $ref followed, a nullable anyOf reduced to its non-null branch."""
    if "$ref" in schema:
        return resolved(SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]])
    branches = [branch for branch in schema.get("anyOf", []) if branch.get("type") != "null"]
    if len(branches) == 1:
        return resolved(branches[0])
    return schema


def fields(schema: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every field a body can set through objects (not through lists or maps): its path and schema."""
    for name, field in resolved(schema).get("properties", {}).items():
        found = resolved(field)
        yield (*path, name), found
        if found.get("type") == "object" or "properties" in found:
            yield from fields(found, (*path, name))


def every_number(schema: dict[str, Any], where: str, seen: set[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every integer or number a body can carry, through lists and maps as well."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from every_number(SCHEMAS[name], name, seen | {name})
        return
    if schema.get("type") in ("integer", "number"):
        yield where, schema
    for key in ("anyOf", "allOf", "oneOf", "prefixItems"):
        for index, branch in enumerate(schema.get(key, [])):
            yield from every_number(branch, f"{where}|{index}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from every_number(schema[key], f"{where}[]", seen)
    for name, field in schema.get("properties", {}).items():
        yield from every_number(field, f"{where}.{name}", seen)


def request_bodies() -> Iterator[tuple[Route, dict[str, Any]]]:
    for route in JSON_ROUTES:
        operation = DOCUMENT["paths"][route.path][route.method.lower()]
        yield route, operation["requestBody"]["content"]["application/json"]["schema"]


BODIES = list(request_bodies())
FIELDS = [
    (route, path, field)
    for route, body in BODIES
    for path, field in fields(body)
    if field.get("type") in ("integer", "number", "string") and "enum" not in field and "const" not in field
]


def nested(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    body: Any = value
    for name in reversed(path):
        body = {name: body}
    return dict(body)


def refused_at(answer: Any, path: tuple[str, ...]) -> bool:
    return answer.status == 422 and any(error["loc"] == ["body", *path] for error in answer.json["errors"])


NUMBERS = [(route, path, field) for route, path, field in FIELDS if field["type"] in ("integer", "number")]
TEXTS = [(route, path, field) for route, path, field in FIELDS if field["type"] == "string"]


@pytest.mark.parametrize(
    ("route", "path", "field"), NUMBERS, ids=[f"{route.key} {'.'.join(path)}" for route, path, _ in NUMBERS]
)
def test_a_number_is_a_json_number_not_a_flag_or_a_string(
    client: Client, world: dict[str, str], untouched: list[str], route: Route, path: tuple[str, ...], field: Any
) -> None:
    for value in (True, "5", 10**40, float("nan"), float("inf")):
        answer = send(client, route, json.dumps(nested(path, value)).encode(), world, "application/json")
        assert refused_at(answer, path), (value, answer.body[:400])
    if field["type"] == "integer":
        answer = send(client, route, json.dumps(nested(path, 5.5)).encode(), world, "application/json")
        assert refused_at(answer, path), answer.body[:400]
    assert untouched == []


@pytest.mark.parametrize(
    ("route", "path", "field"), TEXTS, ids=[f"{route.key} {'.'.join(path)}" for route, path, _ in TEXTS]
)
def test_a_text_refuses_nul_control_and_bidi_override_characters(
    client: Client, world: dict[str, str], untouched: list[str], route: Route, path: tuple[str, ...], field: Any
) -> None:
    for value in ("a\u0000b", "a\u0007b", "evil\u202etxt.exe", "a\u2066b", "a\u0085b"):
        answer = send(client, route, json.dumps(nested(path, value)).encode(), world, "application/json")
        assert refused_at(answer, path), (value, answer.body[:400])
    if field.get("minLength", 0) >= 1:
        answer = send(client, route, json.dumps(nested(path, " \t ")).encode(), world, "application/json")
        assert refused_at(answer, path), answer.body[:400]
    assert untouched == []


def test_every_number_a_request_carries_has_both_bounds() -> None:
    unbounded = []
    for route, body in BODIES:
        for where, number in every_number(body, route.key, set()):
            if "maximum" not in number and "exclusiveMaximum" not in number:
                unbounded.append(f"{where}: no maximum")
            if "minimum" not in number and "exclusiveMinimum" not in number:
                unbounded.append(f"{where}: no minimum")
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                for where, number in every_number(parameter["schema"], f"{method} {path} {parameter['name']}", set()):
                    if "maximum" not in number or "minimum" not in number:
                        unbounded.append(f"{where}: unbounded")
    assert unbounded == []


def test_the_checks_above_cover_the_fields_they_are_about() -> None:
    """Guards the generators: a document reshaped so that they find nothing would pass silently."""
    numbers = {f"{route.key} {'.'.join(path)}" for route, path, _ in NUMBERS}
    texts = {f"{route.key} {'.'.join(path)}" for route, path, _ in TEXTS}
    assert {
        "POST /v1/rewards cost",
        "PATCH /v1/rewards/{reward_id} stock",
        "PUT /v1/points/policy expiry.days",
    } <= numbers
    assert {"POST /v1/contacts/{contact_id}/points/adjustments points"} <= numbers
    assert {"POST /v1/me/cases subject", "PATCH /v1/contacts/{contact_id} name", "POST /v1/kb/articles title"} <= texts
    assert {"PUT /v1/case-settings business_hours.time_zone", "POST /v1/rewards name"} <= texts


def test_a_whitespace_only_name_is_refused_not_stored_empty(client: Client, world: dict[str, str]) -> None:
    created = client.post("/v1/contacts", json_body={"name": "Li"}, token=world["staff"]).json
    path = f"/v1/contacts/{created['contact_id']}"
    answer = client.patch(path, json_body={"name": "   "}, token=world["staff"])
    assert answer.status == 422
    assert answer.json["errors"][0]["loc"] == ["body", "name"]
    assert client.get(path, token=world["staff"]).json["name"] == "Li"
