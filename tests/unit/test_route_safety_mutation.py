"""The route-safety check fails when a route is declared with the wrong roles or access.

``check`` judges a real answer by the declaration it is handed. Handing it a mutated copy of one
route's declaration while the API still serves the real one must produce a mismatch: that is what
the generated test (``test_route_safety.py``) reports when a declaration and the behaviour part.
Each test runs the real declaration too, as a control, so that a mismatch cannot come from a
broken world. Further tests change the declaration the API itself serves, and show that the
handlers' own second lock (``api.staff()``, ``api.member()``) makes the generated check fail even
then; and that the checks for callers narrower than the route (another tenant, member or guide)
fail when an answer tells a record apart or carries an id.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from local.stack import LocalStack
from services.registry import SERVICES
from shared.auth.roles import ADMINS, STAFF_ROLES
from shared.http import ServiceApi
from shared.manifest import Access, Route, resolve_handler
from tests.support.route_safety import (
    PRINCIPALS,
    Call,
    Principal,
    World,
    build_world,
    check,
    through_gateway,
    tokens_issued_in_the_past,
)

CALLERS = {principal.name: principal for principal in PRINCIPALS}
DECLARED = {route.key: route for service in SERVICES for route in service.routes}


def redeclared(key: str, **changes: Any) -> Route:
    """A copy of the route's declaration with some of its fields (``access``, ``roles``) changed."""
    real = DECLARED[key]
    return Route(**{**{name: getattr(real, name) for name in Route.__slots__}, **changes})


def served_api(key: str) -> ServiceApi:
    service = next(service for service in SERVICES if key in {route.key for route in service.routes})
    assert service.api_handler is not None
    api: ServiceApi = resolve_handler(service.api_handler.rsplit(".", 1)[0] + ".api")
    return api


@pytest.fixture(scope="module")
def call(stack: LocalStack) -> Call:
    assert stack.gateway is not None
    return through_gateway(stack.gateway)


@pytest.fixture(scope="module")
def world(call: Call) -> World:
    return build_world(call, tokens_issued_in_the_past)


def mismatches(route: Route, callers: list[str], world: World, call: Call) -> dict[str, list[str]]:
    found = {name: check(route, CALLERS[name], world, call) for name in callers}
    return {name: problems for name, problems in found.items() if problems}


# The declaration handed to the check is wrong; the API serves the real one ----------------------
def test_a_writers_route_declared_for_guides_too_is_reported(world: World, call: Call) -> None:
    key = "POST /v1/campaigns"
    assert not mismatches(DECLARED[key], ["guide", "admin"], world, call)
    reported = mismatches(redeclared(key, roles=DECLARED[key].roles | {"guide"}), ["guide", "admin"], world, call)
    assert list(reported) == ["guide"]
    assert "expected neither 401 nor 403" in reported["guide"][0]
    assert "→ 403" in reported["guide"][0]


def test_an_admin_only_route_declared_for_every_staff_role_is_reported(world: World, call: Call) -> None:
    key = "PUT /v1/case-settings"
    staff = ["admin", "manager", "agent", "guide"]
    assert not mismatches(DECLARED[key], staff, world, call)
    assert sorted(mismatches(redeclared(key, roles=STAFF_ROLES), staff, world, call)) == ["agent", "guide", "manager"]


def test_a_route_that_admits_a_role_its_declaration_refuses_is_reported(world: World, call: Call) -> None:
    key = "GET /v1/campaigns"
    staff = ["admin", "manager", "agent", "guide"]
    assert not mismatches(DECLARED[key], staff, world, call)
    reported = mismatches(redeclared(key, roles=ADMINS), staff, world, call)
    assert sorted(reported) == ["agent", "guide", "manager"]
    assert all("expected 403 problem+json" in problems[0] for problems in reported.values())


def test_a_member_route_declared_for_staff_is_reported(world: World, call: Call) -> None:
    key = "GET /v1/me"
    assert not mismatches(DECLARED[key], ["member", "admin"], world, call)
    assert sorted(mismatches(redeclared(key, access="staff"), ["member", "admin"], world, call)) == ["admin", "member"]


def test_a_protected_route_declared_public_is_reported(world: World, call: Call) -> None:
    key = "GET /v1/contacts"
    anonymous = ["no-token", "expired-staff", "tampered-claims-staff"]
    assert not mismatches(DECLARED[key], anonymous, world, call)
    assert sorted(mismatches(redeclared(key, access="public"), anonymous, world, call)) == sorted(anonymous)


# The API serves the wrong declaration: the handlers' second lock still shows it --------------------
@pytest.mark.parametrize(
    ("key", "access", "caller"),
    [
        ("GET /v1/me", "staff", "admin"),  # a member's route opened to staff: api.member() refuses them
        ("POST /v1/scans", "any", "manager"),
        ("GET /v1/contacts", "member", "member"),  # a staff route opened to members: api.staff() refuses
        ("GET /v1/cases/stats", "any", "member"),
    ],
)
def test_a_route_served_with_the_wrong_access_fails_the_generated_check(
    key: str, access: Access, caller: str, world: World, call: Call, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = redeclared(key, access=access)
    assert not check(DECLARED[key], CALLERS[caller], world, call)
    monkeypatch.setitem(served_api(key).routes, key, wrong)  # what the API authorises with
    problems = check(wrong, CALLERS[caller], world, call)
    assert problems
    assert "expected neither 401 nor 403" in problems[0]
    assert "→ 403" in problems[0]


# Callers narrower than the route ----------------------------------------------------------------
def pretending(world: World, principal: Principal) -> World:
    """The world with ``principal`` holding the admin's token and a clean record of what it sent."""
    return replace(world, tokens={**world.tokens, principal.name: world.tokens["admin"]}, sent={})


def test_an_answer_that_tells_a_record_apart_from_none_is_reported(world: World, call: Call) -> None:
    """The tenant's own admin, checked as if the tenant's records were someone else's: a read
    answers 200 for the real campaign and 404 for a phantom, which is what a leak looks like."""
    foreign_admin = Principal("admin-as-foreign", "staff", frozenset({"admin"}), frozenset({"tenant"}))
    route = DECLARED["GET /v1/campaigns/{campaign_id}"]
    problems = check(route, foreign_admin, pretending(world, foreign_admin), call)
    assert len(problems) == 1
    assert "told apart" in problems[0]
    real, phantom = problems[0].split("Real: ")[1].split(" Phantom: ")
    assert "→ 200" in real
    assert "→ 404" in phantom


def test_an_answer_that_carries_an_id_never_sent_is_reported(world: World, call: Call) -> None:
    foreign_admin = Principal("admin-as-foreign", "staff", frozenset({"admin"}), frozenset({"tenant"}))
    problems = check(DECLARED["GET /v1/campaigns"], foreign_admin, pretending(world, foreign_admin), call)
    assert len(problems) == 1
    assert "carries ['campaign_id']" in problems[0]
    control = Principal("other-tenant-staff", "staff", STAFF_ROLES, frozenset({"tenant"}))
    assert not check(DECLARED["GET /v1/campaigns"], control, world, call)
