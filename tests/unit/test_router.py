"""ServiceApi's own router: the route API Gateway matched, parameters and bodies validated with
pydantic, errors as clients read them, and an OpenAPI document that still describes it all —
without Powertools' event handler on any request's path."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from typing import Annotated, Any
from urllib.parse import quote

from pydantic import BaseModel, Field

from shared.http import Response, ServiceApi
from shared.manifest import Route, Service
from shared.params import Cursor, Id, Limit, Path, Query

STAFF = {"kind": "staff", "tenant_id": "t1", "staff_id": "s1", "roles": "admin"}

SERVICE = Service(
    name="router",
    routes=(
        Route("GET", "/v1/things", "staff"),
        Route("GET", "/v1/things/{thing_id}/labels/{label}", "staff"),
        Route("POST", "/v1/things", "staff"),
        Route("GET", "/v1/things/{thing_id}/picture.png", "staff", binary=True),
        Route("GET", "/v1/declared-only", "staff"),
        Route("PUT", "/v1/things/{thing_id}", "staff", frozenset({"admin"})),
        Route("DELETE", "/v1/things/{thing_id}", "any"),
        Route("POST", "/v1/things/{thing_id}/notes", "public"),
    ),
)


class ThingCreate(BaseModel):
    name: str = Field(min_length=1, max_length=10)
    size: int = Field(ge=0, le=1000)


class Thing(BaseModel):
    thing_id: str
    name: str


api = ServiceApi(SERVICE)
seen: dict[str, Any] = {}


@api.route("GET /v1/things")
def list_things(
    limit: Limit = 50,
    cursor: Cursor = None,
    kinds: Annotated[list[str] | None, Query(alias="kind", max_length=3)] = None,
) -> list[str]:
    """List things."""
    seen.update(limit=limit, cursor=cursor, kinds=kinds)
    return [api.staff().staff_id]


@api.route("GET /v1/things/{thing_id}/labels/{label}")
def get_label(thing_id: Id, label: Annotated[str, Path(pattern=r"^[^/]+$")]) -> Thing:
    """Read a label."""
    return Thing(thing_id=thing_id, name=label)


@api.route("POST /v1/things", status=201)
def create_thing(body: ThingCreate) -> Response[str]:
    """Create a thing."""
    return Response(201, "application/json", Thing(thing_id="t", name=body.name).model_dump_json())


@api.route("GET /v1/things/{thing_id}/picture.png", media_type="image/png")
def picture(thing_id: Id) -> Response[bytes]:
    """A picture."""
    return Response(200, "image/png", b"\x89PNG" + thing_id.encode(), headers={"Cache-Control": "private"})


@api.route("PUT /v1/things/{thing_id}", status=201, idempotent=True, errors=(409,))
def put_thing(thing_id: Id, body: ThingCreate) -> Thing:
    """Create or replace a thing."""
    seen.update(idempotency_key=api.idempotency_key())
    return Thing(thing_id=thing_id, name=body.name)


@api.route("DELETE /v1/things/{thing_id}", status=204)
def delete_thing(thing_id: Id) -> None:
    """Delete a thing."""
    seen.update(deleted=thing_id)


@api.route("POST /v1/things/{thing_id}/notes", consumes="text/xml", media_type="text/plain", errors=(401,))
def add_note(thing_id: Id) -> Response[str]:
    """A note, as XML."""
    seen.update(note=api.body_text())
    api.idempotency_key()  # not declared idempotent: a programming error, found by any call
    return Response(200, "text/plain", "success")


def call(
    key: str,
    path: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: str | None = None,
    principal: dict[str, str] | None = STAFF,
    raw: bytes | None = None,
) -> tuple[int, dict[str, str], Any]:
    method, template = key.split(" ", 1)
    raw_path = template
    for name, value in (path or {}).items():
        raw_path = raw_path.replace("{" + name + "}", quote(value, safe=""))
    event = {
        "version": "2.0",
        "routeKey": key,
        "rawPath": raw_path,
        "headers": {"x-correlation-id": "c-1"},
        "queryStringParameters": query,
        "pathParameters": path,
        "requestContext": {
            "requestId": "r-1",
            "http": {"method": method},
            "authorizer": {"lambda": principal} if principal else {},
        },
        "body": base64.b64encode(raw).decode() if raw is not None else body,
        "isBase64Encoded": raw is not None,
    }
    answer = api.handle(event, None)
    assert answer["headers"]["x-correlation-id"] == "c-1"
    if answer["isBase64Encoded"]:
        return answer["statusCode"], answer["headers"], base64.b64decode(answer["body"])
    if answer["headers"].get("Content-Type", "").startswith("text/"):
        return answer["statusCode"], answer["headers"], answer["body"]
    return answer["statusCode"], answer["headers"], json.loads(answer["body"]) if answer["body"] else None


def test_path_values_from_the_gateway_are_used_as_decoded_once() -> None:
    status, _, thing = call("GET /v1/things/{thing_id}/labels/{label}", {"thing_id": "t-1", "label": "%E4%BC%9A"})
    assert status == 200
    assert thing == {"thing_id": "t-1", "name": "%E4%BC%9A"}

    status, _, thing = call("GET /v1/things/{thing_id}/labels/{label}", {"thing_id": "t-1", "label": "高价值"})
    assert thing["name"] == "高价值"


def test_an_event_without_a_route_key_is_matched_on_its_path_and_decoded_once() -> None:
    event = {
        "rawPath": "/v1/things/t%2F1/labels/%25E4",
        "requestContext": {"http": {"method": "GET"}, "authorizer": {"lambda": STAFF}},
    }
    answer = api.handle(event, None)
    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"]) == {"thing_id": "t/1", "name": "%E4"}


def test_query_values_are_validated_with_their_constraints_and_defaults() -> None:
    status, _, _ = call("GET /v1/things")
    assert status == 200
    assert seen == {"limit": 50, "cursor": None, "kinds": None}

    status, _, _ = call("GET /v1/things", query={"limit": "7", "kind": "a,b"})
    assert status == 200
    assert seen == {"limit": 7, "cursor": None, "kinds": ["a", "b"]}

    status, headers, problem = call("GET /v1/things", query={"limit": "0", "kind": "a,b,c,d"})
    assert status == 422
    assert headers["Content-Type"] == "application/problem+json"
    assert problem["title"] == "Unprocessable content"
    assert [error["loc"] for error in problem["errors"]] == [["query", "limit"], ["query", "kind"]]
    assert problem["errors"][0]["msg"] == "Input should be greater than or equal to 1"


def test_path_values_are_validated() -> None:
    status, _, problem = call("GET /v1/things/{thing_id}/labels/{label}", {"thing_id": "x" * 65, "label": "a/b"})
    assert status == 422
    assert [error["loc"] for error in problem["errors"]] == [["path", "thing_id"], ["path", "label"]]


def test_the_body_is_validated_and_its_errors_sit_under_body() -> None:
    status, _, created = call("POST /v1/things", body=json.dumps({"name": "n", "size": 1}))
    assert (status, created) == (201, {"thing_id": "t", "name": "n"})

    status, _, problem = call("POST /v1/things", body=json.dumps({"name": "", "size": -1}))
    assert status == 422
    assert [error["loc"] for error in problem["errors"]] == [["body", "name"], ["body", "size"]]

    for missing in (None, "", "null"):
        status, _, problem = call("POST /v1/things", body=missing)
        assert status == 422
        assert problem["errors"] == [{"loc": ["body"], "msg": "Field required"}]

    status, _, problem = call("POST /v1/things", body="[]")
    assert status == 422
    assert problem["errors"][0]["loc"] == ["body"]


def test_a_body_that_is_not_json_is_answered_400() -> None:
    status, headers, problem = call("POST /v1/things", body='{"name": ')
    assert status == 400
    assert headers["Content-Type"] == "application/problem+json"
    assert problem["title"] == "Malformed body"


def test_a_body_that_cannot_be_read_is_a_400_whatever_made_it_so() -> None:
    unreadable = {
        b'{"name": "\xff"}': "The body is not valid UTF-8.",
        b"[" * 100_000 + b"]" * 100_000: "recursion limit exceeded",
        b'{"name": "n", "size": ' + b"9" * 5000 + b"}": "number out of range",
        b'{"name": "\\ud800", "size": 1}': "hex escape",  # a lone surrogate
    }
    for raw, said in unreadable.items():
        status, headers, problem = call("POST /v1/things", raw=raw)
        assert status == 400, problem
        assert headers["Content-Type"] == "application/problem+json"
        assert said in problem["detail"]


def test_a_caller_without_a_token_learns_nothing_of_the_body_it_sent_but_its_401() -> None:
    """However unreadable the body (not base64, a lone surrogate, not UTF-8), authorisation comes first."""
    for event_body, encoded in (("not base64!", True), ('{"name": "\ud800"}', False), ("\udcff", False)):
        method, path = "POST", "/v1/things"
        event = {
            "version": "2.0",
            "routeKey": f"{method} {path}",
            "rawPath": path,
            "headers": {},
            "requestContext": {"requestId": "r-1", "http": {"method": method}, "authorizer": {}},
            "body": event_body,
            "isBase64Encoded": encoded,
        }
        assert api.handle(event, None)["statusCode"] == 401, event_body
    assert call("POST /v1/things", raw=b"\xff")[0] == 400  # with a token, the body is refused


def test_a_text_body_that_is_not_utf8_is_refused_before_the_handler_reads_it() -> None:
    seen.clear()
    status, _, problem = call(
        "POST /v1/things/{thing_id}/notes", {"thing_id": "t"}, raw="<x>投诉</x>".encode("gb18030")
    )
    assert (status, problem["detail"]) == (400, "The body is not valid UTF-8.")
    assert seen == {}


def test_numbers_in_a_body_are_json_numbers_while_query_values_are_converted_from_strings() -> None:
    for size in (True, "5", 5.5, 10**30):
        status, _, problem = call("POST /v1/things", body=json.dumps({"name": "n", "size": size}))
        assert status == 422, size
        assert problem["errors"][0]["loc"] == ["body", "size"]
    status, _, _ = call("GET /v1/things", query={"limit": "5"})
    assert (status, seen["limit"]) == (200, 5)
    status, _, _ = call("GET /v1/things", query={"limit": "true"})
    assert status == 422


def test_a_route_answers_its_declared_status() -> None:
    status, _, thing = call("PUT /v1/things/{thing_id}", {"thing_id": "t"}, body=json.dumps({"name": "n", "size": 1}))
    assert (status, thing) == (201, {"thing_id": "t", "name": "n"})
    status, headers, body = call("DELETE /v1/things/{thing_id}", {"thing_id": "t"})
    assert (status, body, seen["deleted"]) == (204, None, "t")
    assert "Content-Type" not in headers


def test_idempotency_key_is_read_only_where_the_route_declares_it() -> None:
    headers = {"thing_id": "t"}
    status, _, _ = call("PUT /v1/things/{thing_id}", headers, body=json.dumps({"name": "n", "size": 1}))
    assert status == 201
    status, _, problem = call("POST /v1/things/{thing_id}/notes", {"thing_id": "t"}, body="<x/>")
    assert (status, problem["title"]) == (500, "Internal error")


def test_every_operation_documents_its_success_and_every_error_it_can_answer() -> None:
    paths = api.openapi()["paths"]

    def answers(key: str) -> dict[str, Any]:
        method, path = key.split(" ", 1)
        return dict(paths[path][method.lower()]["responses"])

    assert sorted(answers("GET /v1/things")) == ["200", "400", "401", "403", "422"]  # 400: a foreign cursor
    assert sorted(answers("POST /v1/things")) == ["201", "400", "401", "403", "409", "413", "422"]
    assert sorted(answers("GET /v1/things/{thing_id}/labels/{label}")) == ["200", "401", "403", "404", "422"]
    put = answers("PUT /v1/things/{thing_id}")
    assert sorted(put) == ["201", "400", "401", "403", "404", "409", "413", "422"]
    assert put["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/Thing")
    assert sorted(answers("DELETE /v1/things/{thing_id}")) == ["204", "401", "404", "409", "422"]  # "any": no 403
    assert "content" not in answers("DELETE /v1/things/{thing_id}")["204"]
    notes = answers("POST /v1/things/{thing_id}/notes")
    assert sorted(notes) == ["200", "400", "401", "404", "413", "422"]  # public, yet signed: 401 declared
    assert notes["200"]["content"] == {"text/plain": {"schema": {"type": "string"}}}
    picture = answers("GET /v1/things/{thing_id}/picture.png")
    assert picture["200"]["content"] == {"image/png": {"schema": {"type": "string", "format": "binary"}}}
    for responses in (put, notes, picture):
        for status, response in responses.items():
            if status >= "400":
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }


def test_the_document_describes_bodies_headers_and_security_as_served() -> None:
    document = api.openapi()
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    put = document["paths"]["/v1/things/{thing_id}"]["put"]
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= put["parameters"][-1].items()
    assert put["security"] == [{"bearer": []}]
    notes = document["paths"]["/v1/things/{thing_id}/notes"]["post"]
    assert notes["requestBody"]["content"] == {"text/xml": {"schema": {"type": "string"}}}
    assert "security" not in notes


def test_authorisation_and_size_are_settled_before_validation() -> None:
    status, _, problem = call("POST /v1/things", body="{", principal=None)
    assert status == 401, problem
    status, _, problem = call("POST /v1/things", body=json.dumps({"name": "x" * 300_000}))
    assert status == 413, problem


def test_a_declared_route_without_a_handler_is_not_found() -> None:
    status, _, problem = call("GET /v1/declared-only")
    assert status == 404
    assert problem["detail"] == "No such route."


def test_a_binary_route_answers_base64_with_its_headers() -> None:
    status, headers, body = call("GET /v1/things/{thing_id}/picture.png", {"thing_id": "p"})
    assert status == 200
    assert body == b"\x89PNGp"
    assert headers["Content-Type"] == "image/png"
    assert headers["Cache-Control"] == "private"


def test_the_openapi_document_describes_parameters_bodies_and_answers() -> None:
    document = api.openapi()
    listing = document["paths"]["/v1/things"]["get"]
    parameters = {parameter["name"]: parameter for parameter in listing["parameters"]}
    assert parameters["limit"]["in"] == "query"
    assert parameters["limit"]["schema"]["maximum"] == 200
    assert parameters["kind"]["in"] == "query"
    assert listing["summary"] == "List things."

    label = document["paths"]["/v1/things/{thing_id}/labels/{label}"]["get"]
    assert {(p["name"], p["in"]) for p in label["parameters"]} == {("thing_id", "path"), ("label", "path")}
    assert label["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Thing")

    create = document["paths"]["/v1/things"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ThingCreate")
    assert "ThingCreate" in document["components"]["schemas"]


def test_no_api_function_imports_powertools_event_handler() -> None:
    modules = (
        "services.contacts.handlers.api",
        "services.campaigns.handlers.api",
        "services.cases.handlers.api",
        "services.points.handlers.api",
        "services.platform.api",
    )
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('aws_lambda_powertools.event_handler')))\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
