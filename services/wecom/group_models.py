"""Customer groups (客户群) and 群接龙 sign-up sheets: API models and entities."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from shared.models import Model, Name, StrictModel

ChatId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_@.-]+$")]
GroupStatus = Literal["active", "dismissed"]
MemberStatus = Literal["in", "left"]
MemberType = Literal["staff", "customer"]
MAX_SIGNUP_CAPACITY = 1000


# ---- groups -------------------------------------------------------------------------------------
class GroupView(Model):
    corp_id: str
    chat_id: str
    name: str | None
    owner: str | None = Field(description="The group owner's WeCom userid (a staff member).")
    notice: str | None
    admins: list[str]
    status: GroupStatus
    created_at: str | None = Field(description="When WeCom created the group.")
    member_count: int = Field(description="Members currently in the group (staff and customers).")
    dismissed_at: str | None
    synced_at: str | None = Field(description="When a sync or a callback last read the group from WeCom.")


class GroupList(Model):
    items: list[GroupView]
    next_cursor: str | None


class Group(Model):
    """A customer group: ``T#{t}#GROUP#{chat_id}`` / ``GROUP``."""

    corp_id: str
    chat_id: str
    name: str | None = None
    owner: str | None = None
    notice: str | None = None
    admins: list[str] = Field(default_factory=list)
    status: GroupStatus = "active"
    created_at: str | None = None
    member_count: int = 0
    dismissed_at: str | None = None
    dismissed_time: int | None = None  # the dismiss callback's CreateTime: nothing older revives the group
    synced_at: str | None = None
    version: int = 0

    def view(self) -> GroupView:
        return GroupView.model_validate(self.model_dump(exclude={"version", "dismissed_time"}))


class GroupMemberView(Model):
    userid: str = Field(description="A staff member's userid or a customer's external_userid.")
    type: MemberType | None = Field(description="null until WeCom's group details said which.")
    name: str | None
    group_nickname: str | None
    invitor: str | None
    join_scene: int | None = Field(description="WeCom's JoinScene: 1 invited directly, 2 by link, 3 by QR code.")
    joined_at: str | None
    status: MemberStatus


class GroupMemberList(Model):
    items: list[GroupMemberView]
    next_cursor: str | None


class GroupMember(Model):
    """One member of a group, kept after they leave (their times order late callbacks):
    ``T#{t}#GROUP#{chat_id}`` / ``MEMBER#{userid}``. ``joined_time`` and ``left_time`` are the
    latest join and leave applied (epoch seconds)."""

    chat_id: str
    userid: str
    status: MemberStatus
    type: MemberType | None = None
    name: str | None = None
    unionid: str | None = None
    group_nickname: str | None = None
    invitor: str | None = None
    join_scene: int | None = None
    quit_scene: int | None = None
    joined_time: int | None = None
    left_time: int | None = None
    version: int = 0

    def view(self) -> GroupMemberView:
        joined = self.joined_time
        return GroupMemberView(
            userid=self.userid,
            type=self.type,
            name=self.name,
            group_nickname=self.group_nickname,
            invitor=self.invitor,
            join_scene=self.join_scene,
            joined_at=dt.datetime.fromtimestamp(joined, dt.UTC).isoformat().replace("+00:00", "Z")
            if joined is not None
            else None,
            status=self.status,
        )


class ActivityDay(Model):
    date: dt.date
    joins: int
    leaves: int


class GroupActivity(Model):
    """Members who joined and left, per business day (Asia/Shanghai), from counters the changes keep."""

    items: list[ActivityDay]
    joins: int
    leaves: int


# ---- 群接龙 -------------------------------------------------------------------------------------
class SignupRequest(StrictModel):
    """A sign-up sheet (群接龙) posted to a customer group: members join through its H5 link."""

    chat_id: ChatId
    title: Annotated[Name, StringConstraints(max_length=100)]
    capacity: Annotated[int, Field(ge=1, le=MAX_SIGNUP_CAPACITY)]
    deadline: AwareDatetime = Field(description="Nobody joins (or withdraws) from this moment on.")


class SignupView(Model):
    sheet_id: str
    corp_id: str
    chat_id: str
    title: str
    capacity: int
    deadline: str
    taken: int
    places_left: int
    open: bool = Field(description="Before the deadline.")
    link_path: str = Field(description="The H5 page members join on (a path of the member site).")
    created_by: str
    created_at: str


class SignupEntryView(Model):
    number: int = Field(description="1..capacity; unique, and gap-free once the next member has joined.")
    contact_id: str
    joined_at: str


class SignupDetail(SignupView):
    entries: list[SignupEntryView] = Field(description="In number order.")


class SignupList(Model):
    items: list[SignupView]
    next_cursor: str | None


class MySignupSheet(Model):
    sheet_id: str
    title: str
    capacity: int
    deadline: str
    taken: int
    places_left: int
    open: bool


class MyEntry(Model):
    number: int
    joined_at: str


class MySignupView(Model):
    sheet: MySignupSheet
    my_entry: MyEntry | None = Field(description="The member's place, null when they have not joined.")


class SignupSheet(Model):
    """A sign-up sheet: ``T#{t}#SIGNUP#{sheet_id}`` / ``SHEET``. ``next_number`` is the lowest
    number never handed out; ``free`` the numbers given back by withdrawals."""

    tenant_id: str
    sheet_id: str
    corp_id: str
    chat_id: str
    title: str
    capacity: int
    deadline: str
    deadline_time: int
    taken: int = 0
    next_number: int = 1
    free: set[int] = Field(default_factory=set)
    created_by: str
    created_at: str

    def is_open(self, now: float) -> bool:
        return now < self.deadline_time

    def places_left(self) -> int:
        return max(self.capacity - self.taken, 0)

    def view(self, now: float) -> SignupView:
        return SignupView(
            **self.model_dump(include={"sheet_id", "corp_id", "chat_id", "title", "capacity", "deadline", "taken"}),
            places_left=self.places_left(),
            open=self.is_open(now),
            link_path=f"/m/signups/{self.sheet_id}",
            created_by=self.created_by,
            created_at=self.created_at,
        )

    def member_view(self, now: float) -> MySignupSheet:
        return MySignupSheet(
            **self.model_dump(include={"sheet_id", "title", "capacity", "deadline", "taken"}),
            places_left=self.places_left(),
            open=self.is_open(now),
        )


class SignupEntry(Model):
    """A member's place: ``T#{t}#SIGNUP#{sheet_id}`` / ``SEAT#{number:04d}`` (and ``MEMBER#{contact}``)."""

    sheet_id: str
    number: int
    contact_id: str
    joined_at: str
