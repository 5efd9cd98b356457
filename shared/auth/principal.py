"""Who is calling: a staff member or a member, always within exactly one tenant.

The authorizer verifies the token and hands the principal to the function as API Gateway's
authorizer context (flat strings); the HTTP layer rebuilds it here and enforces the route's
declared access and roles before any handler code runs.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from shared.errors import Forbidden, Unauthorized
from shared.manifest import Route


class StaffPrincipal(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["staff"] = "staff"
    tenant_id: str
    staff_id: str
    roles: frozenset[str]

    def has_any(self, roles: frozenset[str]) -> bool:
        return bool(self.roles & roles)


class MemberPrincipal(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["member"] = "member"
    tenant_id: str
    contact_id: str
    app_id: str = ""
    openid: str = ""


Principal = Annotated[StaffPrincipal | MemberPrincipal, Field(discriminator="kind")]
_principal_adapter: TypeAdapter[StaffPrincipal | MemberPrincipal] = TypeAdapter(Principal)


def to_context(principal: StaffPrincipal | MemberPrincipal) -> dict[str, str]:
    context = {key: value for key, value in principal.model_dump().items() if isinstance(value, str)}
    if isinstance(principal, StaffPrincipal):
        context["roles"] = ",".join(sorted(principal.roles))
    return context


def from_context(context: dict[str, Any] | None) -> StaffPrincipal | MemberPrincipal | None:
    if not context or "kind" not in context:
        return None
    data = dict(context)
    if data.get("kind") == "staff":
        data["roles"] = frozenset(role for role in str(data.get("roles", "")).split(",") if role)
    try:
        return _principal_adapter.validate_python(data)
    except ValidationError:
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
