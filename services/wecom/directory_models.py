"""The staff directory's API models and entities, and WeCom sign-in's."""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from shared.models import Model, StrictModel

StaffRole = Literal["admin", "manager", "agent", "guide"]
StaffStatus = Literal["active", "disabled", "inactive", "departed"]
DepartmentId = Annotated[int, Field(ge=1, le=2**32)]

# WeCom's member status: 1 active, 2 disabled, 4 not activated yet, 5 left the corp.
WECOM_STATUS: dict[int, StaffStatus] = {1: "active", 2: "disabled", 4: "inactive", 5: "departed"}


class StaffMember(Model):
    """One member of a corp's directory: ``T#{t}#DIRECTORY / STAFF#{userid}`` (the userid is the
    staff id everywhere in Siyu). ``roles`` are the ones they sign in with: ``role_override`` when
    an admin set it, else the default (a leader of a department is a manager, anyone else a guide)."""

    corp_id: str
    staff_id: str
    name: str
    status: StaffStatus
    department_ids: list[int] = Field(default_factory=list)
    leader_of: list[int] = Field(default_factory=list, description="The departments they lead.")
    managers: list[str] = Field(default_factory=list, description="Their departments' leaders (themselves excepted).")
    position: str | None = None
    role_override: list[StaffRole] | None = None
    changed_at: int = Field(default=0, description="Epoch seconds of the last change applied (orders callbacks).")
    seen_by: str | None = Field(default=None, description="The last full sync (job id) that listed them.")
    version: int = 0
    updated_at: str = ""

    @property
    def default_roles(self) -> list[StaffRole]:
        return ["manager"] if self.leader_of else ["guide"]

    @property
    def roles(self) -> list[StaffRole]:
        return sorted(self.role_override or self.default_roles)

    def view(self) -> "StaffView":
        return StaffView(
            corp_id=self.corp_id,
            staff_id=self.staff_id,
            name=self.name,
            status=self.status,
            department_ids=self.department_ids,
            leader_of=self.leader_of,
            managers=self.managers,
            position=self.position,
            roles=self.roles,
            roles_overridden=self.role_override is not None,
            updated_at=self.updated_at,
        )


class StaffView(Model):
    corp_id: str
    staff_id: str = Field(description="The member's WeCom userid: their Siyu staff id.")
    name: str
    status: StaffStatus = Field(description="active, disabled, inactive (not activated yet) or departed (离职).")
    department_ids: list[int]
    leader_of: list[int]
    managers: list[str]
    position: str | None
    roles: list[StaffRole] = Field(description="The Siyu roles they sign in with.")
    roles_overridden: bool = Field(description="An admin set the roles; syncs keep them.")
    updated_at: str


class StaffList(Model):
    items: list[StaffView]
    next_cursor: str | None


class RolesRequest(StrictModel):
    """The member's Siyu roles, set by an admin (kept by every later sync); null goes back to the
    default (a department leader is a manager, anyone else a guide)."""

    roles: list[StaffRole] | None = Field(min_length=1, max_length=4)


class Department(Model):
    """``T#{t}#DIRECTORY / DEPT#{id}``."""

    corp_id: str
    department_id: int
    name: str
    parent_id: int | None = None
    order: int | None = None
    leaders: list[str] = Field(default_factory=list)


class DepartmentList(Model):
    items: list[Department]


# ---- sign-in ------------------------------------------------------------------------------------
RedirectUri = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
LoginState = Annotated[str, StringConstraints(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
LoginCode = Annotated[str, StringConstraints(min_length=1, max_length=512, pattern=r"^[A-Za-z0-9_.~-]+$")]
TenantRef = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]


class WeComLoginUrl(Model):
    url: str = Field(description="WeCom's web login page (QR code) for the tenant's corp and app.")
    state: str = Field(description="Single use, 10 minutes: WeCom hands it back with the code.")
    expires_at: str


class WeComSignInRequest(StrictModel):
    tenant_id: TenantRef
    code: LoginCode
    state: LoginState


class StaffToken(Model):
    token: str = Field(description="A Siyu staff token (ES256, Siyu's own issuer): the bearer of staff routes.")
    staff_id: str
    roles: list[StaffRole]
    expires_at: str
