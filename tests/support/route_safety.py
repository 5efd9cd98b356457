"""Every declared route called as every kind of caller, each answer checked against what the route's
declaration (``Route.access`` and ``Route.roles``) and the product's API conventions promise.

The core is ``check(route, principal, world, call)``: it derives the expected outcome from the
declaration it is given and calls the route through ``call`` (the local gateway in-process, or the
local stack over HTTP). ``tests/unit/test_route_safety.py`` runs it over every declared route;
``tests/unit/test_route_safety_mutation.py`` runs it with a mutated declaration against the real
behaviour, to show that a route declared with the wrong roles is reported.

What a new route needs: nothing, unless it has a path parameter no resource of ``build_world`` is
named after (the check then fails naming the parameter). Its body defaults to ``{}``: a 422 still
proves that authorisation let the caller through, since the HTTP layer settles 401 and 403 before
it parses the body (``shared.http.ServiceApi._refuse_early``). A minimal valid body in
``REQUESTS`` lets the allowed callers go further (and the narrower ones reach the 404 that a
mismatched id must give).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import string
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, Protocol
from urllib.parse import quote, urlencode

import pytest

from local.gateway import HttpAnswer, LocalGateway
from shared import wecom_crypto
from shared.auth.roles import STAFF_ROLES
from shared.manifest import Route, Service
from tests.support import forged_tokens

PROBLEM_JSON = "application/problem+json"


# Callers ----------------------------------------------------------------------------------------
Owner = Literal["tenant", "member", "guide"]
EVERY_OWNER: frozenset[Owner] = frozenset({"tenant", "member", "guide"})
TENANT_OWNED: frozenset[Owner] = frozenset({"tenant"})
MEMBER_OWNED: frozenset[Owner] = frozenset({"tenant", "member"})  # a member's, within their tenant
GUIDE_OWNED: frozenset[Owner] = frozenset({"tenant", "guide"})
NOBODY: frozenset[Owner] = frozenset()
Kind = Literal["anonymous", "staff", "member"]


@dataclass(frozen=True)
class Principal:
    """A kind of caller. ``foreign`` names whose resources are not the caller's although the route
    itself admits them: another tenant's, another member's, another guide's customers."""

    name: str
    kind: Kind
    roles: frozenset[str] = frozenset()
    foreign: frozenset[Owner] = frozenset()
    description: str = ""


# Tokens that must count for nothing: the caller is anonymous, whatever the token claims.
ANONYMOUS_LIKE = (
    Principal("no-token", "anonymous", description="no Authorization header"),
    Principal("malformed-token", "anonymous", description="a bearer value that is not a JWT"),
    Principal("tampered-signature-staff", "anonymous", description="an admin token, its signature altered"),
    Principal("tampered-signature-member", "anonymous", description="a member token, its signature altered"),
    Principal("tampered-claims-staff", "anonymous", description="a guide token rewritten to claim admin"),
    Principal("wrong-key-staff", "anonymous", description="an admin token re-signed with a stranger's key"),
    Principal("alg-none-staff", "anonymous", description='an admin token under "alg": "none", unsigned'),
    Principal("expired-staff", "anonymous", description="an admin token, properly signed, expired"),
    Principal("expired-member", "anonymous", description="a member token, properly signed, expired"),
)
STAFF = tuple(
    Principal(role, "staff", frozenset({role}), description=f"a {role} of the tenant") for role in sorted(STAFF_ROLES)
)
MEMBER = Principal("member", "member", description="the member who owns the member resources")
NARROWER = (
    Principal(
        "other-tenant-staff",
        "staff",
        STAFF_ROLES,
        EVERY_OWNER,
        "another tenant's staff member with every role (and the same staff ids)",
    ),
    Principal("other-tenant-member", "member", foreign=EVERY_OWNER, description="another tenant's member"),
    Principal("other-member", "member", foreign=frozenset({"member"}), description="another member of the tenant"),
    Principal(
        "other-guide",
        "staff",
        frozenset({"guide"}),
        frozenset({"guide"}),
        "a guide who does not own the customer or the code",
    ),
)
# Refusals first: a refused call changes nothing, so what the allowed callers change comes after.
PRINCIPALS = (*ANONYMOUS_LIKE, *NARROWER, *STAFF, MEMBER)


# Expectations -----------------------------------------------------------------------------------
class Outcome(Enum):
    TOKEN_IGNORED = "the same answer as without a token, never 401 or 403 (a public route)"
    UNAUTHENTICATED = "401 problem+json"
    FORBIDDEN = "403 problem+json"
    ALLOWED = "neither 401 nor 403"


def expected_outcome(route: Route, principal: Principal) -> Outcome:
    """What the declaration promises this caller (product spec, "API conventions")."""
    if route.access == "public":
        return Outcome.TOKEN_IGNORED
    if principal.kind == "anonymous":
        return Outcome.UNAUTHENTICATED
    if principal.kind == "member":
        return Outcome.ALLOWED if route.access in ("member", "any") else Outcome.FORBIDDEN
    if route.access == "member":
        return Outcome.FORBIDDEN
    return Outcome.ALLOWED if principal.roles & route.roles else Outcome.FORBIDDEN


def applies(route: Route, principal: Principal) -> bool:
    """A narrower caller is tried only where the route admits them: elsewhere its refusal is the
    one the tenant's own callers of that kind already prove."""
    if not principal.foreign:
        return True
    return route.access != "public" and expected_outcome(route, principal) is Outcome.ALLOWED


def ordered_routes(services: tuple[Service, ...]) -> list[Route]:
    """Every declared route, local-only ones included (they are served by the local stack, where
    a leak would matter as much); deletions last, and a parent's after its children's, so that no
    route is tried on a resource an earlier route removed."""

    def deletions_last(route: Route) -> tuple[bool, int]:
        deleting = route.method == "DELETE"
        return deleting, -route.path.count("{") if deleting else 0

    return sorted((route for service in services for route in service.routes), key=deletions_last)


# The world the calls are made in ----------------------------------------------------------------
@dataclass(frozen=True)
class Resource:
    """A value a request may name. ``owners``: whose it is (none: a global name such as a WeChat
    app id, or a mere label). ``secret``: an id only its owners learn, so that finding it in
    someone else's answer is a leak (chosen names such as queue ids are not)."""

    value: str
    owners: frozenset[Owner]
    secret: bool


@dataclass(frozen=True)
class Sent:
    query: Mapping[str, str] = field(default_factory=dict)
    body: Any = None  # JSON; ``raw`` wins when given
    raw: bytes | None = None


RequestTemplate = Callable[[Mapping[str, str]], Sent]


class Answer(Protocol):
    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def body(self) -> bytes: ...


Call = Callable[[str, str, Mapping[str, str], bytes], Answer]
"""(method, path with query, headers, body) → the answer, as a client of the API sees it."""


class UnknownParameter(LookupError):
    pass


@dataclass
class World:
    tenant_id: str
    other_tenant_id: str
    resources: Mapping[str, Resource]
    tokens: Mapping[str, str | None]
    requests: Mapping[str, RequestTemplate]
    phantoms: dict[str, str] = field(default_factory=dict)
    sent: dict[str, list[str]] = field(default_factory=dict)  # by principal: every request they made

    def ids(self, foreign: frozenset[Owner] = frozenset()) -> dict[str, str]:
        """Every resource's value; those ``foreign`` owns replaced by a phantom of the same shape
        that exists nowhere (what a caller who does not know the real one would send)."""
        return {
            name: self.phantom(name) if resource.owners & foreign else resource.value
            for name, resource in self.resources.items()
        }

    def phantom(self, name: str) -> str:
        if name not in self.phantoms:
            self.phantoms[name] = _same_shape(self.resources[name].value)
        return self.phantoms[name]

    def request(self, route: Route, ids: Mapping[str, str]) -> tuple[str, bytes]:
        """The route's path filled with ``ids``, its query and its body."""
        path = route.path
        for name in route_parameters(route):
            if name not in ids:
                raise UnknownParameter(
                    f"{route.key}: no resource for the path parameter {{{name}}}. Create one in "
                    f"tests/support/route_safety.py (build_world) and name it {name!r}."
                )
            path = path.replace(f"{{{name}}}", quote(ids[name], safe=""))
        template = self.requests.get(route.key)
        sent = template(ids) if template else Sent(body={} if route.method in ("POST", "PUT", "PATCH") else None)
        if sent.query:
            path = f"{path}?{urlencode(sent.query)}"
        body = sent.raw if sent.raw is not None else b"" if sent.body is None else json.dumps(sent.body).encode()
        return path, body


def route_parameters(route: Route) -> list[str]:
    return re.findall(r"\{(\w+)\}", route.path)


_CROCKFORD_LETTERS = "ABCDEFGHJKMNPQRSTVWXYZ"


def _same_shape(value: str) -> str:
    """Another value with the same length and character classes (so it passes the same pattern):
    the last eight letters and digits redrawn, capitals from Crockford's base32 so that an id stays
    a valid ULID of the same moment (``shared.ids``)."""
    chars, redrawn = list(value), 0
    for index in range(len(chars) - 1, -1, -1):
        if redrawn == 8:
            break
        char = chars[index]
        for alphabet in (string.digits, _CROCKFORD_LETTERS, string.ascii_lowercase):
            if char in alphabet:
                chars[index] = random.choice(alphabet.replace(char, ""))
                redrawn += 1
                break
    return "".join(chars)


def through_gateway(gateway: LocalGateway) -> Call:
    """Calls handed to the local gateway in-process: the object ``make run`` serves over HTTP, which
    runs the real authorizer and the service's real function (HTTP would add only the socket)."""

    def call(method: str, target: str, headers: Mapping[str, str], body: bytes) -> HttpAnswer:
        return gateway.handle(method, target, dict(headers), body)

    return call


# The check ---------------------------------------------------------------------------------------
@dataclass
class Exchange:
    method: str
    target: str
    status: int
    content_type: str
    body: bytes

    def __str__(self) -> str:
        return f"{self.method} {self.target} → {self.status} {self.body[:300]!r}"


def send(call: Call, route: Route, world: World, ids: Mapping[str, str], principal: Principal | None) -> Exchange:
    """The route called with ``ids`` by ``principal`` (None: without a token)."""
    target, body = world.request(route, ids)
    token = world.tokens[principal.name] if principal is not None else None
    if principal is not None:
        world.sent.setdefault(principal.name, []).append(target + body.decode(errors="replace"))
    headers = {"Content-Type": "application/json"} if body else {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    answer = call(route.method, target, headers, body)
    content_type = next((value for name, value in answer.headers.items() if name.lower() == "content-type"), "")
    return Exchange(route.method, target, answer.status, content_type, answer.body)


def check(route: Route, principal: Principal, world: World, call: Call) -> list[str]:
    """What is wrong with the answer ``principal`` gets from ``route``, judged by ``route``'s
    declaration (which may differ from the one the API serves: that is how a mutated declaration
    is shown to be caught). Empty when the answer is the declared one."""
    outcome = expected_outcome(route, principal)
    got = send(call, route, world, world.ids(), principal)
    said = f"{route.key} as {principal.name} ({principal.description}): expected {outcome.value}; got {got}"
    problems = []
    if got.status >= 500:
        problems.append(f"server error. {said}")
    if got.status >= 400 and not got.content_type.startswith(PROBLEM_JSON):
        problems.append(f"an error that is not problem+json ({got.content_type!r}). {said}")
    if outcome is Outcome.TOKEN_IGNORED:
        without = send(call, route, world, world.ids(), None) if world.tokens[principal.name] else got
        if got.status in (401, 403) or got.status != without.status:
            problems.append(f"{said}; without a token: {without.status}")
    elif not _as_declared(outcome, got.status):
        problems.append(said)
    if principal.foreign and outcome is Outcome.ALLOWED:
        problems += _scope_problems(route, principal, world, call, got)
    return problems


def _as_declared(outcome: Outcome, status: int) -> bool:
    if outcome is Outcome.UNAUTHENTICATED:
        return status == 401
    if outcome is Outcome.FORBIDDEN:
        return status == 403
    return status not in (401, 403)


def _shape(exchange: Exchange, ids: Mapping[str, str]) -> tuple[object, ...]:
    """What tells two answers apart beyond the ids they echo: the status, and for an error its
    problem type and detail with every id put back as its name."""
    if exchange.status < 400:
        return (exchange.status,)
    text = exchange.body.decode(errors="replace")
    for name, value in sorted(ids.items(), key=lambda item: -len(item[1])):
        text = text.replace(value, f"{{{name}}}")
    try:
        problem = json.loads(text)
    except ValueError:
        return (exchange.status, text)
    return (exchange.status, problem.get("type"), problem.get("detail")) if isinstance(problem, dict) else (text,)


def _scope_problems(route: Route, principal: Principal, world: World, call: Call, got: Exchange) -> list[str]:
    """A caller the route admits, naming what is not theirs, must learn nothing: the answer is the
    one an id that exists nowhere gets (a 404 for a read, never a 403 that confirms the record),
    and carries none of the owners' ids."""
    problems = []
    named = {
        name
        for name in route_parameters(route)
        if world.resources.get(name) and world.resources[name].owners & principal.foreign
    }
    _, body = world.request(route, world.ids())
    referenced = {
        name
        for name, resource in world.resources.items()
        if resource.owners & principal.foreign and resource.value in body.decode(errors="replace")
    }
    if named or referenced:
        phantoms = world.ids(principal.foreign)
        baseline = send(call, route, world, phantoms, principal)
        if _shape(got, world.ids()) != _shape(baseline, phantoms):
            problems.append(
                f"{route.key} as {principal.name}: another owner's record is told apart from one that exists "
                f"nowhere ({sorted(named | referenced)} of {world.tenant_id}). Real: {got}. Phantom: {baseline}"
            )
    told = world.sent.get(principal.name, [])
    leaked = [
        name
        for name, resource in world.resources.items()
        if resource.secret
        and resource.owners & principal.foreign
        and resource.value.encode() in got.body
        and not any(resource.value in request for request in told)
    ]
    if leaked:
        problems.append(f"{route.key} as {principal.name}: the answer carries {leaked}, never sent by them. {got}")
    return problems


# Building the world -----------------------------------------------------------------------------
STAFF_IDS = {role: f"s-{role}" for role in STAFF_ROLES}
OTHER_GUIDE_ID = "s-guide-2"
MEMBER_APP_ID = "wx-rs"
PAST_SECONDS = 9 * 24 * 3600  # longer than any token lives (members: 7 days)


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _until(check: Callable[[], bool], seconds: float = 15.0) -> None:
    """Wait for the event-driven side of the world to settle (a callback processed)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "setting up the world: not settled in time"
        time.sleep(0.05)


def _signup(chat_id: str) -> dict[str, Any]:
    deadline = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400))
    return {"chat_id": chat_id, "title": "Route safety", "capacity": 5, "deadline": deadline}


def _transfer() -> dict[str, Any]:
    return {"from_staff": STAFF_IDS["guide"], "to_staff": WECOM_SUCCESSOR, "external_userids": ["wm-rs"]}


def _json(call: Call, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {"Content-Type": "application/json", **_bearer(token)} if raw else _bearer(token)
    answer = call(method, path, headers, raw)
    assert 200 <= answer.status < 300, f"setting up the world: {method} {path} → {answer.status} {answer.body[:300]!r}"
    return json.loads(answer.body) if answer.body else None


def _outreach(call: Call, admin: str, guide: str, contact_id: str) -> tuple[str, str, str, str]:
    """A template, a broadcast scheduled for later, and a live journey whose task step gave the
    guide a task about their customer (tasks are made by journeys only)."""
    template_id = _json(call, "POST", "/v1/templates", TEMPLATE, admin)["template_id"]
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30 * 86_400))
    broadcast = {**BROADCAST, "template_id": template_id, "contact_ids": [contact_id], "send_at": later}
    broadcast_id = _json(call, "POST", "/v1/broadcasts", broadcast, admin)["broadcast_id"]
    segment_id = _json(call, "POST", "/v1/segments", {**STATIC_SEGMENT, "name": "Route safety tasks"}, admin)[
        "segment_id"
    ]
    journey = {**JOURNEY, "trigger": {"kind": "segment_entered", "segment_id": segment_id}}
    journey_id = _json(call, "POST", "/v1/journeys", journey, admin)["journey_id"]
    _json(call, "POST", f"/v1/journeys/{journey_id}/resume", None, admin)
    # Outreach knows the contact (and its owner, the guide) before the contact enters the segment.
    preview = f"/v1/templates/{template_id}/preview"
    body = json.dumps({"contact_id": contact_id}).encode()
    _until(lambda: call("POST", preview, {"Content-Type": "application/json", **_bearer(admin)}, body).status == 200)
    _json(call, "POST", f"/v1/segments/{segment_id}/members", {"add": [contact_id]}, admin)
    tasks: list[Any] = []

    def listed() -> bool:
        tasks[:] = json.loads(call("GET", "/v1/me/tasks", _bearer(guide), b"").body).get("items", [])
        return bool(tasks)

    _until(listed, 30.0)
    return template_id, broadcast_id, journey_id, str(tasks[0]["task_id"])


def build_world(call: Call, issued_in_the_past: Callable[[int], AbstractContextManager[None]]) -> World:
    """Two fresh tenants; in the first, one resource of each kind a path parameter names, owned by
    the first member and the first guide where ownership means something, and a token for every
    principal. ``issued_in_the_past(seconds)`` makes the API issue its tokens that long ago."""
    suffix = uuid.uuid4().hex[:10]
    tenant, other_tenant = f"rs-{suffix}", f"rs-{suffix}-b"

    def staff_token(tenant_id: str, staff_id: str, roles: list[str]) -> str:
        body = {"tenant_id": tenant_id, "staff_id": staff_id, "roles": roles}
        return str(_json(call, "POST", "/v1/auth/dev-token", body)["token"])

    def member_login(tenant_id: str, code: str) -> dict[str, Any]:
        body = {"tenant_id": tenant_id, "app_id": MEMBER_APP_ID, "code": code}
        return dict(_json(call, "POST", "/v1/auth/wechat", body))

    tokens: dict[str, str | None] = {role: staff_token(tenant, STAFF_IDS[role], [role]) for role in STAFF_ROLES}
    admin = tokens["admin"]
    first, second = member_login(tenant, "dev:o-rs-1"), member_login(tenant, "dev:o-rs-2")
    tokens["member"], tokens["other-member"] = first["token"], second["token"]
    tokens["other-guide"] = staff_token(tenant, OTHER_GUIDE_ID, ["guide"])
    # Same staff id and same WeChat identity as in the first tenant: only the tenant differs.
    tokens["other-tenant-staff"] = staff_token(other_tenant, STAFF_IDS["admin"], sorted(STAFF_ROLES))
    tokens["other-tenant-member"] = member_login(other_tenant, "dev:o-rs-1")["token"]

    contact_id = first["contact_id"]
    _json(call, "PUT", f"/v1/contacts/{contact_id}/owner", {"staff_id": STAFF_IDS["guide"]}, admin)
    campaign_id = _json(call, "POST", "/v1/campaigns", CAMPAIGN, admin)["campaign_id"]
    _json(call, "POST", f"/v1/campaigns/{campaign_id}/activate", token=admin)
    code = _json(
        call, "POST", f"/v1/campaigns/{campaign_id}/codes", {"channel": "poster", "staff_id": STAFF_IDS["guide"]}, admin
    )["code"]
    # A scan of the guide's code: the campaign's figures then name the code (what a guide who does
    # not own it must not see).
    _json(call, "POST", "/v1/scans", {"code": code}, first["token"])
    case_id = _json(call, "POST", "/v1/me/cases", {"type": "inquiry", "subject": "Route safety"}, first["token"])[
        "case_id"
    ]
    message_id = _json(
        call, "POST", f"/v1/cases/{case_id}/messages", {"body": "We are on it.", "kind": "reply"}, admin
    )["message_id"]
    reward_id = _json(call, "POST", "/v1/rewards", {"name": "Mug", "cost": 1, "stock": 1000}, admin)["reward_id"]
    _json(call, "POST", f"/v1/contacts/{contact_id}/points/adjustments", {"points": 100, "reason": "setup"}, admin)
    redemption_id = _json(call, "POST", "/v1/me/redemptions", {"reward_id": reward_id}, first["token"])["redemption_id"]
    article_id = _json(call, "POST", "/v1/kb/articles", ARTICLE, admin)["article_id"]
    group_id = _json(call, "POST", "/v1/tag-groups", TAG_GROUP, admin)["group_id"]
    rule_id = _json(call, "POST", "/v1/tag-rules", TAG_RULE, admin)["rule_id"]
    segment_id = _json(call, "POST", "/v1/segments", {**STATIC_SEGMENT, "contact_ids": [contact_id]}, admin)[
        "segment_id"
    ]
    job_id = _json(call, "POST", "/v1/contacts/imports", IMPORT, admin)["job"]["job_id"]
    queue_id = "rs-queue"
    _json(call, "PUT", f"/v1/queues/{queue_id}", {"name": "Route safety"}, admin)
    agent_id = STAFF_IDS["agent"]
    _json(call, "PUT", f"/v1/agents/{agent_id}", {}, admin)  # defaults: the agent may PUT them back
    app_id, wechat_token = f"wx-rs-{suffix}", f"rs{suffix}"
    _json(call, "PUT", f"/v1/channels/wechat/{app_id}", {"token": wechat_token}, admin)
    wecom_corp = f"ww-rs-{suffix}"
    _json(call, "PUT", "/v1/wecom/settings", {**WECOM_SECRETS, "corp_id": wecom_corp}, admin)
    chat_id = f"wr-rs-{suffix}"  # the guide's customer group, created through WeCom's callback
    group = {"corp_id": wecom_corp, "chat_id": chat_id, "name": "rs", "owner": STAFF_IDS["guide"]}
    _json(call, "POST", "/v1/dev/wecom/groups", group)
    _json(call, "POST", "/v1/dev/wecom/group-changes", {"tenant_id": tenant, "chat_id": chat_id, "action": "create"})
    _until(lambda: call("GET", f"/v1/wecom/groups/{chat_id}", _bearer(admin), b"").status == 200)
    sheet_id = _json(call, "POST", "/v1/wecom/signups", _signup(chat_id), admin)["sheet_id"]
    joined = {
        "Event": "change_contact",
        "ChangeType": "create_user",
        "UserID": WECOM_SUCCESSOR,
        "Name": "rs",
        "Department": "1",
        "Status": "1",
    }
    _json(call, "POST", "/v1/dev/wecom/callbacks", {"tenant_id": tenant, "fields": joined})
    _until(lambda: call("GET", f"/v1/wecom/staff/{WECOM_SUCCESSOR}", _bearer(admin), b"").status == 200)
    transfer_id = _json(call, "POST", "/v1/wecom/transfers", _transfer(), admin)["transfer_id"]
    template_id, broadcast_id, journey_id, task_id = _outreach(call, str(admin), str(tokens["guide"]), contact_id)

    with issued_in_the_past(PAST_SECONDS):
        tokens["expired-staff"] = staff_token(tenant, STAFF_IDS["admin"], ["admin"])
        tokens["expired-member"] = member_login(tenant, "dev:o-rs-1")["token"]
    for name in ("expired-staff", "expired-member"):
        expiry = forged_tokens.parts(str(tokens[name]))[1]["exp"]
        assert expiry < time.time() - 60, f"{name} is not expired: the issuer did not take the past clock"
    tokens["no-token"] = None
    tokens["malformed-token"] = forged_tokens.malformed()
    tokens["tampered-signature-staff"] = forged_tokens.tampered_signature(str(admin))
    tokens["tampered-signature-member"] = forged_tokens.tampered_signature(first["token"])
    tokens["tampered-claims-staff"] = forged_tokens.tampered_claims(str(tokens["guide"]), roles=sorted(STAFF_ROLES))
    tokens["wrong-key-staff"] = forged_tokens.signed_with_another_key(str(admin))
    tokens["alg-none-staff"] = forged_tokens.unsigned(str(admin))

    openid = str(forged_tokens.parts(first["token"])[1]["openid"])
    resources = {
        "contact_id": Resource(contact_id, EVERY_OWNER, secret=True),
        "campaign_id": Resource(campaign_id, TENANT_OWNED, secret=True),
        "code": Resource(code, GUIDE_OWNED, secret=True),
        "case_id": Resource(case_id, MEMBER_OWNED, secret=True),
        "message_id": Resource(message_id, MEMBER_OWNED, secret=True),
        "reward_id": Resource(reward_id, TENANT_OWNED, secret=True),
        "redemption_id": Resource(redemption_id, MEMBER_OWNED, secret=True),
        "article_id": Resource(article_id, TENANT_OWNED, secret=True),
        "group_id": Resource(group_id, TENANT_OWNED, secret=True),
        "rule_id": Resource(rule_id, TENANT_OWNED, secret=True),
        "segment_id": Resource(segment_id, TENANT_OWNED, secret=True),
        "job_id": Resource(job_id, TENANT_OWNED, secret=True),
        "queue_id": Resource(queue_id, TENANT_OWNED, secret=False),
        "staff_id": Resource(agent_id, TENANT_OWNED, secret=False),
        # WeChat's app ids are global: an app registered by one tenant is taken for every other.
        "app_id": Resource(app_id, NOBODY, secret=False),
        "tag": Resource("vip", NOBODY, secret=False),
        # Not path parameters: what request bodies and queries are made of.
        "tenant_id": Resource(tenant, NOBODY, secret=False),
        "wechat_token": Resource(wechat_token, NOBODY, secret=False),
        "wecom_corp": Resource(wecom_corp, NOBODY, secret=False),
        "chat_id": Resource(chat_id, GUIDE_OWNED, secret=False),
        # A 群接龙 sheet: any member of the tenant with its link may join it; guides see their groups' own.
        "sheet_id": Resource(sheet_id, GUIDE_OWNED, secret=True),
        "transfer_id": Resource(transfer_id, TENANT_OWNED, secret=True),
        "template_id": Resource(template_id, TENANT_OWNED, secret=True),
        "broadcast_id": Resource(broadcast_id, TENANT_OWNED, secret=True),
        "journey_id": Resource(journey_id, TENANT_OWNED, secret=True),
        # A staff task is its own staff member's (the guide's): others get 404, whatever their role.
        "task_id": Resource(task_id, frozenset({"guide"}), secret=True),
        "openid": Resource(openid, NOBODY, secret=False),
    }
    missing = {principal.name for principal in PRINCIPALS} - set(tokens)
    assert not missing, f"no token for {sorted(missing)}"
    return World(tenant, other_tenant, resources, tokens, REQUESTS)


@contextmanager
def tokens_issued_in_the_past(seconds: int) -> Iterator[None]:
    """In-process only: ``shared.auth.tokens`` reads the time from its ``time`` module; for as long
    as this lasts it reads a clock ``seconds`` behind, so the API's own code signs tokens that
    expired long ago (the key, algorithm and claims stay exactly the real ones)."""
    import types

    from shared.auth import tokens

    real = time.time
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tokens, "time", types.SimpleNamespace(time=lambda: real() - seconds))
        yield


# Requests: minimal valid bodies and queries, so the callers a route admits get past validation ---
def _wechat_signed(ids: Mapping[str, str], echo: bool) -> dict[str, str]:
    """WeChat's signature over a fresh timestamp and nonce, with the app's callback token."""
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
    joined = "".join(sorted((ids["wechat_token"], timestamp, nonce)))
    query = {
        "signature": hashlib.sha1(joined.encode()).hexdigest(),  # noqa: S324 - WeChat's scheme
        "timestamp": timestamp,
        "nonce": nonce,
    }
    return {**query, "echostr": "route-safety"} if echo else query


WECOM_TOKEN = "RouteSafety"
WECOM_AES_KEY = "R" * 43
WECOM_SECRETS: dict[str, Any] = {
    "token": WECOM_TOKEN,
    "encoding_aes_key": WECOM_AES_KEY,
    "secrets": {"contact": "rs-contact", "agent": "rs-agent"},
}
WECOM_SUCCESSOR = "rs-successor"  # a member of the tenant's WeCom directory: transfers go to them


def _wecom_signed(ids: Mapping[str, str], encrypted: str) -> dict[str, str]:
    """WeCom's msg_signature over a fresh timestamp and nonce and the ciphertext."""
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:16]
    signed = wecom_crypto.signature(WECOM_TOKEN, timestamp, nonce, encrypted)
    return {"msg_signature": signed, "timestamp": timestamp, "nonce": nonce}


def _wecom_url_check(ids: Mapping[str, str]) -> Sent:
    echostr = wecom_crypto.encrypt(WECOM_AES_KEY, "route-safety", ids["wecom_corp"])
    return Sent(query={**_wecom_signed(ids, echostr), "echostr": echostr})


def _wecom_event(ids: Mapping[str, str]) -> Sent:
    """An event Siyu does not handle: answered success, recorded as refused, nothing else."""
    message = (
        f"<xml><ToUserName>{ids['wecom_corp']}</ToUserName><CreateTime>{int(time.time())}</CreateTime>"
        "<MsgType>event</MsgType><Event>route_safety</Event></xml>"
    )
    body, encrypted = wecom_crypto.callback_body(WECOM_AES_KEY, ids["wecom_corp"], message)
    return Sent(query=_wecom_signed(ids, encrypted), raw=body.encode())


def _subscribe_event() -> bytes:
    """An event, not a member's message: the callback accepts it and records nothing."""
    return (
        "<xml><ToUserName>gh_rs</ToUserName><FromUserName>o-rs-callback</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>"
    ).encode()


CAMPAIGN = {"name": "Route safety", "starts_at": "2026-01-01T00:00:00Z", "ends_at": "2036-01-01T00:00:00Z"}
ARTICLE = {"title": "Opening hours", "body": "9 to 5"}
TAG_GROUP = {"name": "Route safety", "tags": ["rs-grouped"]}
STATIC_SEGMENT = {"name": "Route safety", "kind": "static"}
TEMPLATE = {"name": "Route safety", "channel": "wecom_customer", "content": {"text": "Hi there"}}
BROADCAST = {"name": "Route safety", "channel": "wecom_customer"}
JOURNEY = {
    "name": "Route safety",
    "entry": "call",
    "steps": [{"type": "task", "id": "call", "title": "Call", "next": "done"}, {"type": "exit", "id": "done"}],
}
OUTREACH_SETTINGS: dict[str, Any] = {"time_zone": "Asia/Shanghai", "quiet_hours": None, "caps": {}, "version": 0}


def _audience(ids: Mapping[str, str]) -> dict[str, Any]:
    return {"channel": "wecom_customer", "template_id": ids["template_id"], "contact_ids": [ids["contact_id"]]}


def _journey() -> dict[str, Any]:
    return {**JOURNEY, "trigger": {"kind": "lifecycle_changed", "to_stage": "dormant"}}


NEW_CONTACTS = {"field": "lifecycle", "op": "eq", "value": "new"}
IMPORT = {"file_name": "rs.csv"}
TAG_RULE = {
    "name": "Route safety",
    "on": "CaseRated",
    "when": [{"field": "rating", "op": "lte", "value": 2}],
    "add_tags": ["rs"],
}

REQUESTS: dict[str, RequestTemplate] = {
    "POST /v1/auth/dev-token": lambda ids: Sent(
        body={"tenant_id": ids["tenant_id"], "staff_id": "s-route-safety", "roles": ["guide"]}
    ),
    "POST /v1/auth/wechat": lambda ids: Sent(
        body={"tenant_id": ids["tenant_id"], "app_id": MEMBER_APP_ID, "code": "dev:o-rs-1"}
    ),
    "GET /v1/channels/wechat/{app_id}/messages": lambda ids: Sent(query=_wechat_signed(ids, echo=True)),
    "POST /v1/channels/wechat/{app_id}/messages": lambda ids: Sent(
        query=_wechat_signed(ids, echo=False), raw=_subscribe_event()
    ),
    "GET /v1/channels/wecom/{tenant_id}/callback": _wecom_url_check,
    "POST /v1/channels/wecom/{tenant_id}/callback": _wecom_event,
    # The world's own corp: set up again by its tenant; another tenant's attempt is a 409.
    "PUT /v1/wecom/settings": lambda ids: Sent(body={"corp_id": ids["wecom_corp"]}),
    "PUT /v1/wecom/welcome-messages": lambda ids: Sent(body={"scope": "tenant", "message": {"text": "Hi {name}"}}),
    "POST /v1/wecom/signups": lambda ids: Sent(body=_signup(ids["chat_id"])),
    "POST /v1/wecom/transfers": lambda ids: Sent(body=_transfer()),
    "PUT /v1/wecom/staff/{staff_id}/roles": lambda ids: Sent(body={"roles": ["guide"]}),
    "POST /v1/contacts": lambda ids: Sent(body={"name": "Route safety"}),
    "POST /v1/templates": lambda ids: Sent(body=TEMPLATE),
    "PUT /v1/templates/{template_id}": lambda ids: Sent(body={**TEMPLATE, "version": 1}),
    "POST /v1/templates/{template_id}/preview": lambda ids: Sent(body={}),
    "PUT /v1/outreach/settings": lambda ids: Sent(body=OUTREACH_SETTINGS),
    "POST /v1/broadcasts/preview": lambda ids: Sent(body=_audience(ids)),
    "POST /v1/broadcasts": lambda ids: Sent(body={**BROADCAST, **_audience(ids)}),
    "PUT /v1/broadcasts/{broadcast_id}": lambda ids: Sent(body={**BROADCAST, **_audience(ids), "version": 1}),
    "POST /v1/journeys": lambda ids: Sent(body=_journey()),
    "PUT /v1/journeys/{journey_id}": lambda ids: Sent(body={**_journey(), "version": 2}),
    "POST /v1/me/tasks/{task_id}/complete": lambda ids: Sent(body={"note": "Called."}),
    "POST /v1/me/tasks/{task_id}/skip": lambda ids: Sent(body={}),
    "PUT /v1/contacts/{contact_id}/owner": lambda ids: Sent(body={"staff_id": STAFF_IDS["guide"]}),
    "POST /v1/campaigns": lambda ids: Sent(body=CAMPAIGN),
    "PATCH /v1/campaigns/{campaign_id}": lambda ids: Sent(body={"name": "Route safety"}),
    "POST /v1/campaigns/{campaign_id}/codes": lambda ids: Sent(body={"channel": "poster"}),
    "POST /v1/scans": lambda ids: Sent(body={"code": ids["code"]}),
    "POST /v1/me/cases": lambda ids: Sent(body={"type": "inquiry", "subject": "Route safety"}),
    "POST /v1/me/cases/{case_id}/messages": lambda ids: Sent(body={"body": "Any news?"}),
    "POST /v1/me/cases/{case_id}/csat": lambda ids: Sent(body={"rating": 5}),
    "POST /v1/cases": lambda ids: Sent(
        body={"type": "inquiry", "subject": "Route safety", "contact_id": ids["contact_id"]}
    ),
    "PATCH /v1/cases/{case_id}": lambda ids: Sent(body={"priority": "high"}),
    "POST /v1/cases/{case_id}/messages": lambda ids: Sent(body={"body": "Noted.", "kind": "note"}),
    "POST /v1/kb/articles": lambda ids: Sent(body=ARTICLE),
    "PUT /v1/kb/articles/{article_id}": lambda ids: Sent(body=ARTICLE),
    # A new group per call: a tag belongs to one group, so the same body twice would be refused.
    "POST /v1/tag-groups": lambda ids: Sent(body={"name": "Route safety", "tags": [f"rs-{uuid.uuid4().hex[:8]}"]}),
    "PUT /v1/tag-groups/{group_id}": lambda ids: Sent(body=TAG_GROUP),
    "POST /v1/tag-rules": lambda ids: Sent(body=TAG_RULE),
    "PUT /v1/tag-rules/{rule_id}": lambda ids: Sent(body=TAG_RULE),
    "POST /v1/segments": lambda ids: Sent(body={"name": "Route safety", "rule": NEW_CONTACTS}),
    "PUT /v1/segments/{segment_id}": lambda ids: Sent(body=STATIC_SEGMENT),
    "POST /v1/segments/{segment_id}/members": lambda ids: Sent(body={"add": [ids["contact_id"]]}),
    "POST /v1/segments/preview": lambda ids: Sent(body={"rule": NEW_CONTACTS}),
    "POST /v1/contacts/imports": lambda ids: Sent(body=IMPORT),
    "POST /v1/contacts/bulk-tags/uploads": lambda ids: Sent(body={"tag": "rs-bulk", "action": "add", **IMPORT}),
    "POST /v1/contacts/bulk-tags": lambda ids: Sent(
        body={"tag": "rs-bulk", "action": "add", "contact_ids": [ids["contact_id"]]}
    ),
    "GET /v1/kb/search": lambda ids: Sent(query={"q": "opening"}),
    "PUT /v1/queues/{queue_id}": lambda ids: Sent(body={"name": "Route safety"}),
    "PUT /v1/channels/wechat/{app_id}": lambda ids: Sent(body={"token": ids["wechat_token"]}),
    "GET /v1/local/channel-deliveries": lambda ids: Sent(query={"app_id": MEMBER_APP_ID, "openid": ids["openid"]}),
    "GET /v1/me/points/statement": lambda ids: Sent(query={"month": "2026-01"}),
    "POST /v1/contacts/{contact_id}/points/adjustments": lambda ids: Sent(body={"points": 1, "reason": "route safety"}),
    "POST /v1/rewards": lambda ids: Sent(body={"name": "Mug", "cost": 1}),
    "PATCH /v1/rewards/{reward_id}": lambda ids: Sent(body={"name": "Mug"}),
    "POST /v1/me/redemptions": lambda ids: Sent(body={"reward_id": ids["reward_id"]}),
}
