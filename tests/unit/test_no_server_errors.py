"""Bad input never becomes a 500: every route that takes a body is sent bodies made of its own
field names with arbitrary JSON values (nulls, wrong types, odd strings) against real records."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.stack import LocalStack
from services.registry import SERVICES
from shared.manifest import resolve_handler
from tests.unit.conftest import Client

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "*",
            "#",
            "2026-01-01T00:00:00Z",
            "2026-01-01",
            "+8613800138000",
            "a@b.c",
            "https://x.example",
            "dev:o-1",
            "admin",
            "\u0000",
            "投诉",
        ]
    ),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def body_routes() -> list[tuple[str, str, list[str]]]:
    """(method, path, field names) for every declared route with a JSON body."""
    found = []
    for service in SERVICES:
        if not service.api_handler:
            continue
        api = resolve_handler(service.api_handler.rsplit(".", 1)[0] + ".api")
        spec = api.openapi()
        schemas = spec.get("components", {}).get("schemas", {})
        for route in service.routes:
            if route.method not in ("POST", "PUT", "PATCH") or route.local_only:
                continue
            operation = spec["paths"][route.path][route.method.lower()]
            content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            reference = content.get("schema", {}).get("$ref", "")
            fields = list(schemas.get(reference.rsplit("/", 1)[-1], {}).get("properties", {}))
            found.append((route.method, route.path, fields))
    return found


ROUTES = body_routes()


@pytest.fixture(scope="module")
def world(stack: LocalStack) -> dict[str, Any]:
    client = Client(stack)
    tenant = "fuzz"
    admin = client.staff_token(tenant)
    member = client.member_login(tenant, "dev:o-fuzz")
    campaign = client.post(
        "/v1/campaigns",
        json_body={"name": "f", "starts_at": "2026-01-01T00:00:00Z", "ends_at": "2036-01-01T00:00:00Z"},
        token=admin,
    ).json
    case = client.post("/v1/me/cases", json_body={"type": "complaint", "subject": "fuzz"}, token=member["token"]).json
    return {
        "client": client,
        "admin": admin,
        "member": member["token"],
        "contact_id": member["contact_id"],
        "campaign_id": campaign["campaign_id"],
        "case_id": case["case_id"],
    }


def concrete(path: str, world: dict[str, Any]) -> str:
    return (
        path.replace("{contact_id}", world["contact_id"])
        .replace("{campaign_id}", world["campaign_id"])
        .replace("{tag}", "vip")
        .replace("{code}", "nocode")
        .replace("{case_id}", world["case_id"])
        .replace("{staff_id}", "fuzz-agent")
        .replace("{queue_id}", "fuzz-queue")
        .replace("{app_id}", "wx-fuzz")
    )


@pytest.mark.parametrize(("method", "path", "fields"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_body_makes_a_server_error(
    world: dict[str, Any], method: str, path: str, fields: list[str], data: st.DataObject
) -> None:
    keys = st.sampled_from(fields) if fields else st.text(max_size=8)
    body = data.draw(st.one_of(st.dictionaries(keys, JSON_VALUES, max_size=6), JSON_VALUES), label="body")
    token = world["member"] if path.startswith(("/v1/me", "/v1/scans")) else world["admin"]
    client: Client = world["client"]
    answer = client.request(method, concrete(path, world), raw=json.dumps(body).encode(), token=token)
    assert answer.status < 500, (method, path, body, answer.body[:300])
    if answer.status >= 400:
        assert answer.headers["Content-Type"] == "application/problem+json"
