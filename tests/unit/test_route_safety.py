"""Every declared route proven safe, generated from the declarations (issue 12, point 6).

Each route is called as every kind of caller (``tests.support.route_safety.PRINCIPALS``): no
token, a malformed, tampered, re-signed, unsigned or expired token, each staff role, the member,
and — where the route admits them — another tenant's staff and member, another member and another
guide on resources that are not theirs. The expected answer comes from ``Route.access`` and
``Route.roles`` alone, so a new route is covered without editing this file.

The calls go through the local gateway in-process (``through_gateway``): the very object
``make run`` serves over HTTP, which runs the real authorizer and the service's real function for
each call. Over HTTP the same check takes about three times as long and could not have the API's
own code sign the expired tokens.
"""

from __future__ import annotations

from typing import Any

import pytest

from local.gateway import LocalGateway
from local.stack import LocalStack
from services.registry import SERVICES
from shared.manifest import Route
from tests.support import forged_tokens
from tests.support.route_safety import (
    ANONYMOUS_LIKE,
    MEMBER,
    PRINCIPALS,
    STAFF,
    Principal,
    UnknownParameter,
    World,
    applies,
    build_world,
    check,
    ordered_routes,
    route_parameters,
    through_gateway,
    tokens_issued_in_the_past,
)

ROUTES = ordered_routes(SERVICES)
CASES = [(route, principal) for route in ROUTES for principal in PRINCIPALS if applies(route, principal)]

# A leak or a wrong outcome found here is reported, not fixed here: (route key, principal) → why.
# Each is a strict xfail, so the fix flips it and the entry has to go.
KNOWN: dict[tuple[str, str], str] = {}


def _case(route: Route, principal: Principal) -> object:
    reason = KNOWN.get((route.key, principal.name))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(route, principal, id=f"{route.key} as {principal.name}", marks=marks)


@pytest.fixture(scope="module")
def gateway(stack: LocalStack) -> LocalGateway:
    assert stack.gateway is not None
    return stack.gateway


@pytest.fixture(scope="module")
def world(gateway: LocalGateway) -> World:
    return build_world(through_gateway(gateway), tokens_issued_in_the_past)


@pytest.mark.parametrize(("route", "principal"), [_case(route, principal) for route, principal in CASES])
def test_route_answers_as_declared(route: Route, principal: Principal, world: World, gateway: LocalGateway) -> None:
    problems = check(route, principal, world, through_gateway(gateway))
    assert not problems, "\n".join(problems)


def test_every_declared_route_is_called_by_every_kind_of_caller() -> None:
    declared = [route.key for service in SERVICES for route in service.routes]
    everyone = {principal.name for principal in (*ANONYMOUS_LIKE, *STAFF, MEMBER)}
    called: dict[str, set[str]] = {}
    for route, principal in CASES:
        called.setdefault(route.key, set()).add(principal.name)
    assert sorted(called) == sorted(declared)
    assert all(everyone <= names for names in called.values())


def test_every_path_parameter_names_a_resource_of_the_world(world: World) -> None:
    unknown = {
        f"{{{name}}} in {route.key}"
        for route in ROUTES
        for name in route_parameters(route)
        if name not in world.resources
    }
    assert not unknown, f"add a resource for each to build_world in tests/support/route_safety.py: {sorted(unknown)}"


def test_a_route_with_a_parameter_the_world_lacks_fails_naming_it(world: World) -> None:
    with pytest.raises(UnknownParameter, match=r"\{widget_id\}.*name it 'widget_id'"):
        check(
            Route("GET", "/v1/widgets/{widget_id}", "staff"),
            STAFF[0],
            world,
            lambda *request: pytest.fail("never called"),
        )


def test_every_filled_path_reaches_its_own_route(world: World, gateway: LocalGateway) -> None:
    """A filled-in path that a more specific route would catch (``/v1/cases/stats`` and
    ``/v1/cases/{case_id}``) would test the wrong route."""
    for route in ROUTES:
        target, _ = world.request(route, world.ids())
        matched = gateway.match(route.method, target.partition("?")[0])
        assert matched is not None, (route.key, target)
        assert matched[0].route.key == route.key, (route.key, target)


def test_every_known_leak_names_a_case_that_is_generated() -> None:
    generated = {(route.key, principal.name) for route, principal in CASES}
    assert set(KNOWN) <= generated, sorted(set(KNOWN) - generated)


def _key_pair(algorithm: str) -> tuple[Any, Any]:
    """(signing key, verifying key)."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if algorithm == "HS256":
        return b"k" * 32, b"k" * 32
    private: Any = (
        ec.generate_private_key(ec.SECP256R1())
        if algorithm == "ES256"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    return private, private.public_key()


@pytest.mark.parametrize("algorithm", ["HS256", "ES256", "RS256"])
def test_a_token_signed_with_another_key_keeps_everything_but_the_key(algorithm: str) -> None:
    """The stand-in key is of the right kind for each algorithm an issuer of ours signs with, so the
    forgery is refused for its signature alone (member tokens are HS256; staff tokens are ES256
    where Siyu issues them, locally and in AWS China, and RS256 where Cognito does)."""
    import jwt

    signing, verifying = _key_pair(algorithm)
    real = jwt.encode({"sub": "s-admin", "roles": ["admin"]}, signing, algorithm=algorithm, headers={"kid": "k1"})
    forged = forged_tokens.signed_with_another_key(real)
    assert forged_tokens.parts(forged)[:2] == forged_tokens.parts(real)[:2]
    assert jwt.decode(real, verifying, algorithms=[algorithm])["sub"] == "s-admin"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, verifying, algorithms=[algorithm])
