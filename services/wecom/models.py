"""The wecom service's API models and entities."""

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from shared.models import Model, Name, StrictModel, Text, name_pattern

CorpId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
# WeCom's callback token: up to 32 letters and digits; its EncodingAESKey: 43 of them.
CallbackToken = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9]+$")]
EncodingAesKey = Annotated[str, StringConstraints(min_length=43, max_length=43, pattern=r"^[A-Za-z0-9]+$")]
AppSecret = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
AppName = Literal["contact", "agent", "directory"]
StaffId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2048, pattern=r"^https?://[^\s]+$")]
MediaId = Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=r"^[A-Za-z0-9_@.-]+$")]


class AppSecrets(StrictModel):
    """The corp's app secrets (each optional; one given replaces the stored one, one left out is kept)."""

    contact: AppSecret | None = Field(
        default=None, description="客户联系 secret: customers, welcome messages, transfers."
    )
    agent: AppSecret | None = Field(default=None, description="The self-built app's secret: app messages, web sign-in.")
    directory: AppSecret | None = Field(default=None, description="通讯录同步 secret: departments and staff.")


class WeComSettingsRequest(StrictModel):
    """A corp's WeCom set-up. ``token``, ``encoding_aes_key`` and the secrets are write-only: no
    route returns them. The first set-up of a corp needs ``token`` and ``encoding_aes_key``."""

    corp_id: CorpId
    agent_id: Annotated[int, Field(ge=1, le=10**10)] | None = Field(
        default=None, description="The self-built app's AgentId (app messages, web sign-in)."
    )
    brand: Annotated[str, StringConstraints(max_length=64, pattern=name_pattern("*"))] | None = Field(
        default=None, description="The sub-brand this corp serves, when the tenant has several corps."
    )
    token: CallbackToken | None = None
    encoding_aes_key: EncodingAesKey | None = None
    secrets: AppSecrets = Field(default_factory=AppSecrets)


class CorpView(Model):
    corp_id: str
    agent_id: int | None
    brand: str | None
    callback_path: str = Field(description="The callback URL's path, to give WeCom (on this API's origin).")
    secrets_set: list[str] = Field(description="Which app secrets are stored (their values are never returned).")
    updated_at: str


class WeComSettingsView(Model):
    corps: list[CorpView]


class WeComCredentials(Model):
    """One corp's credentials, as the callback door and the API client need them (never returned)."""

    corp_id: str
    agent_id: int | None = None
    brand: str | None = None
    token: str
    encoding_aes_key: str
    secrets: dict[str, str] = Field(default_factory=dict)


# ---- welcome messages ---------------------------------------------------------------------------
class WelcomeLink(StrictModel):
    title: Name
    url: Url
    description: Annotated[Text, StringConstraints(max_length=512)] | None = None
    picture_url: Url | None = None


class WelcomeMiniProgram(StrictModel):
    title: Name
    app_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    page: Annotated[str, StringConstraints(min_length=1, max_length=512, pattern=name_pattern())]
    picture_media_id: MediaId


class WelcomeContent(StrictModel):
    """What a new friend receives: a text (``{name}`` is the customer's WeCom name) and at most one
    attachment (an image by media id or URL, a link, or a mini-program card)."""

    text: Annotated[Text, StringConstraints(max_length=4000)] | None = None
    image_media_id: MediaId | None = None
    image_url: Url | None = None
    link: WelcomeLink | None = None
    mini_program: WelcomeMiniProgram | None = None


WelcomeScope = Literal["tenant", "staff", "code"]


class WelcomeMessageRequest(StrictModel):
    """The welcome for one scope: a channel code's (``key`` = the code), a staff member's
    (``key`` = their userid), or the tenant's default (no key). ``message`` null removes it."""

    scope: WelcomeScope
    key: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=name_pattern())] | None = None
    message: WelcomeContent | None


class WelcomeMessageView(Model):
    scope: WelcomeScope
    key: str | None
    message: WelcomeContent
    updated_at: str


class WelcomeMessageList(Model):
    items: list[WelcomeMessageView]


# ---- relationships ------------------------------------------------------------------------------
RelationshipStatus = Literal["active", "pending", "removed"]


class RelationshipView(Model):
    corp_id: str
    staff_id: str
    external_userid: str
    contact_id: str | None = Field(description="The contact the customer is, once contacts has resolved it.")
    status: RelationshipStatus = Field(description="pending: the customer added the staff member, not yet accepted.")
    generation: int = Field(description="1 for the first friendship of this pair, +1 for each add after a removal.")
    name: str | None
    remark: str | None
    add_way: int | None
    state: str | None = Field(description="The contact way's state (a channel code) that brought the customer.")
    added_at: str | None
    removed_at: str | None
    removed_by: Literal["staff", "customer"] | None


class RelationshipList(Model):
    items: list[RelationshipView]
    next_cursor: str | None


class DeletionView(Model):
    corp_id: str
    staff_id: str
    external_userid: str
    contact_id: str | None = None
    removed_by: Literal["staff", "customer"]
    removed_at: str
    generation: int


class DeletionList(Model):
    items: list[DeletionView]
    next_cursor: str | None


class Relationship(Model):
    """One staff member ↔ one customer (external_userid) of a corp, across its friendships."""

    corp_id: str
    staff_id: str
    external_userid: str
    status: RelationshipStatus
    generation: int
    changed_at: int = Field(description="The CreateTime (epoch seconds) of the last add or removal applied.")
    version: int = 0
    contact_id: str | None = None
    name: str | None = None
    unionid: str | None = None
    remark: str | None = None
    add_way: int | None = None
    state: str | None = None
    added_at: str | None = None
    removed_at: str | None = None
    removed_by: Literal["staff", "customer"] | None = None
    removed_reason: Literal["transfer"] | None = None

    def view(self) -> RelationshipView:
        return RelationshipView.model_validate(
            self.model_dump(exclude={"changed_at", "version", "unionid", "removed_reason"})
        )


# ---- jobs ---------------------------------------------------------------------------------------
JobStatus = Literal["queued", "running", "succeeded", "failed"]


class JobProgress(Model):
    total: int | None = None
    done: int = 0
    failed: int = 0


class WeComJob(Model):
    """Long work done in bounded steps by ``wecom-jobs`` (a directory or group sync, a
    reconciliation, a transfer): ``T#{t}#WJOB#{job_id}`` / ``JOB``."""

    tenant_id: str
    job_id: str
    kind: str
    status: JobStatus = "queued"
    step: int = 0
    cursor: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    progress: JobProgress = Field(default_factory=JobProgress)
    result: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None
    created_by: str
    created_at: str
    updated_at: str


class WeComJobView(Model):
    job_id: str
    kind: str
    status: JobStatus
    progress: JobProgress
    params: dict[str, Any]
    result: dict[str, Any]
    error: str | None
    created_by: str
    created_at: str
    updated_at: str
