"""``POST /v1/auth/dev-token``: the local stack's stand-in for a staff sign-in.

It lives here, not in services/platform, so it is not even in the deployed code asset (which
leaves out ``local/``), and the platform function needs no signing key: the route is declared
``local_only`` on the platform service and registered on its API when the local stack starts.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.platform.api import api
from shared.auth.principal import StaffPrincipal
from shared.auth.roles import STAFF_ROLES
from shared.auth.tokens import issue_dev_staff_token
from shared.errors import NotFound
from shared.settings import get_settings

Role = Annotated[str, StringConstraints(pattern=r"^(admin|manager|agent|guide)$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]


class DevTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: Name
    staff_id: Name
    roles: list[Role] = Field(min_length=1, max_length=4)


class DevToken(BaseModel):
    token: str


@api.route("POST /v1/auth/dev-token", errors=(404,))
def dev_token(body: DevTokenRequest) -> DevToken:
    """Local stack only: a staff token for any tenant, staff id and roles."""
    if not get_settings().is_local:  # a second lock, should this module ever be imported elsewhere
        raise NotFound("No such route.")
    principal = StaffPrincipal(
        tenant_id=body.tenant_id, staff_id=body.staff_id, roles=frozenset(body.roles) & STAFF_ROLES
    )
    return DevToken(token=issue_dev_staff_token(principal))
