"""Who is calling: a staff member or a member, always within exactly one tenant.

The authorizer verifies the token and hands the principal to the function as API Gateway's
authorizer context (flat strings); the HTTP layer rebuilds it here and enforces the route's
declared access and roles before any handler code runs.

Plain classes, not pydantic models: the authorizer needs nothing else from pydantic, and importing
and building it cost about 80 ms of the authorizer's cold start (and its validator about 10 ms of
every API function's) to check a handful of strings.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from shared.auth.roles import SEE_ALL_CUSTOMERS
from shared.errors import Forbidden, Unauthorized
from shared.manifest import Route
from shared.values import Frozen


class _Principal(Frozen):
    """Immutable and equal by value (see ``shared.values``)."""


class StaffPrincipal(_Principal):
    __slots__ = ("roles", "staff_id", "tenant_id")
    kind: ClassVar[Literal["staff"]] = "staff"
    tenant_id: str
    staff_id: str
    roles: frozenset[str]

    def __init__(self, *, tenant_id: str, staff_id: str, roles: frozenset[str]) -> None:
        self._set(tenant_id=tenant_id, staff_id=staff_id, roles=frozenset(roles))

    def has_any(self, roles: frozenset[str]) -> bool:
        return bool(self.roles & roles)

    @property
    def sees_only_own_customers(self) -> bool:
        """A guide without a broader role sees only the customers they own, their own channel
        codes and what those brought in."""
        return not self.has_any(SEE_ALL_CUSTOMERS)


class MemberPrincipal(_Principal):
    __slots__ = ("app_id", "contact_id", "openid", "tenant_id")
    kind: ClassVar[Literal["member"]] = "member"
    tenant_id: str
    contact_id: str
    app_id: str
    openid: str

    def __init__(self, *, tenant_id: str, contact_id: str, app_id: str = "", openid: str = "") -> None:
        self._set(tenant_id=tenant_id, contact_id=contact_id, app_id=app_id, openid=openid)


def to_context(principal: StaffPrincipal | MemberPrincipal) -> dict[str, str]:
    if isinstance(principal, StaffPrincipal):
        return {
            "kind": principal.kind,
            "tenant_id": principal.tenant_id,
            "staff_id": principal.staff_id,
            "roles": ",".join(sorted(principal.roles)),
        }
    return {
        "kind": principal.kind,
        "tenant_id": principal.tenant_id,
        "contact_id": principal.contact_id,
        "app_id": principal.app_id,
        "openid": principal.openid,
    }


def from_context(context: dict[str, Any] | None) -> StaffPrincipal | MemberPrincipal | None:
    """The principal the authorizer described; None when the context does not describe one (an
    anonymous caller, or a value missing or not a string)."""
    context = context or {}
    kind, tenant_id = context.get("kind"), context.get("tenant_id")
    if kind == "staff":
        staff_id = context.get("staff_id")
        if isinstance(tenant_id, str) and isinstance(staff_id, str):
            roles = frozenset(role for role in str(context.get("roles", "")).split(",") if role)
            return StaffPrincipal(tenant_id=tenant_id, staff_id=staff_id, roles=roles)
    elif kind == "member":
        contact_id, app_id, openid = context.get("contact_id"), context.get("app_id", ""), context.get("openid", "")
        if (
            isinstance(tenant_id, str)
            and isinstance(contact_id, str)
            and isinstance(app_id, str)
            and isinstance(openid, str)
        ):
            return MemberPrincipal(tenant_id=tenant_id, contact_id=contact_id, app_id=app_id, openid=openid)
    return None


def authorize(route: Route, principal: StaffPrincipal | MemberPrincipal | None) -> None:
    if route.access == "public":
        return
    if principal is None:
        raise Unauthorized("A valid bearer token is required.")
    if isinstance(principal, MemberPrincipal):
        if route.access not in ("member", "any"):
            raise Forbidden("This route is for staff.")
        return
    if route.access == "member":
        raise Forbidden("This route is for members.")
    if not principal.has_any(route.roles):
        raise Forbidden(f"This route needs one of the roles: {', '.join(sorted(route.roles))}.")
