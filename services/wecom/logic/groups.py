"""Customer groups (客户群) kept in step with WeCom: change_external_chat callbacks (``apply``)
and the group sync's snapshots (``reconcile``) both end in member changes applied here.

Callbacks (``WeComCallbackReceived``, kind ``change_external_chat/{create|update|dismiss}``):

- ``update`` with UpdateDetail ``add_member`` / ``del_member`` and a MemChangeList that names
  every changed member (MemChangeCnt of them): the diff is applied as sent, at the callback's
  CreateTime, with JoinScene / QuitScene; no call to WeCom.
- ``create``, ``change_owner``, ``change_name``, ``change_notice``, any other UpdateDetail, a
  member change whose list is missing or incomplete (WeCom's list can be cut short), or a group
  not known yet: the group is read from WeCom (``groupchat/get``) and its details and members
  reconciled with what is stored (joins at WeCom's join_time, leaves at the callback's time).
- ``dismiss``: the group ends dismissed; nothing older or later revives it.

Order and duplicates: each member keeps the time of the latest join and of the latest leave
applied (WeCom's CreateTime, or join_time). A join or leave no newer than the last of its kind
changes nothing, so a redelivered callback counts nothing; a leave that arrives before its join
leaves the member out (a leave wins a tie, as for relationships) and both are still counted,
each on its own day. A join of a member already in only refreshes their details: a sync that saw
them first and their add_member callback are one join.

Every applied change goes with its counters (per day for the tenant, the owner and the group),
the group's member count and ``WeComGroupMembersChanged``, in one transaction per chunk of
members; the callback consumer's marker goes with the last chunk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from services.wecom.dal import groups as dal
from services.wecom.dal import settings as settings_dal
from services.wecom.dal.table import mark_handled
from services.wecom.group_models import (
    ActivityDay,
    Group,
    GroupActivity,
    GroupList,
    GroupMember,
    GroupMemberList,
    GroupView,
    MemberType,
)
from services.wecom.service import CALLBACKS_CONSUMER
from shared.auth.principal import StaffPrincipal
from shared.clock import now_rfc3339, rfc3339, utc_now
from shared.daily import business_day
from shared.dynamo import Prepare
from shared.errors import ConcurrentUpdate, Forbidden, NotFound, Unprocessable
from shared.events.wecom import WeComCallbackReceived, WeComGroupMembersChanged
from shared.inbox import handled
from shared.models import HOME_ZONE
from shared.observability import logger
from shared.retry import retry_on_race

# The change_external_chat kinds ``apply`` handles (the callback door's HANDLED_KINDS).
CALLBACK_KINDS = frozenset(
    {"change_external_chat/create", "change_external_chat/update", "change_external_chat/dismiss"}
)
MEMBER_DETAILS = ("add_member", "del_member")
CHUNK = 40  # members per transaction: with the counters, the group and the event, well under 100
MAX_TEXT = 256

ChangeKind = Literal["join", "leave", "refresh"]
Counted = Literal["join", "leave"]


@dataclass(frozen=True)
class MemberChange:
    userid: str
    kind: ChangeKind
    at: int  # epoch seconds: CreateTime, WeCom's join_time, or the sync's moment
    details: dict[str, Any] = field(default_factory=dict)


def member_transition(
    current: GroupMember | None, change: MemberChange, chat_id: str
) -> tuple[GroupMember, Counted | None] | None:
    """The member after the change and what it counts; None when it changes nothing."""
    details = {key: value for key, value in change.details.items() if value is not None}
    base = current or GroupMember(chat_id=chat_id, userid=change.userid, status="left")
    if change.kind == "refresh":
        after = base.model_copy(update=details)
        return (after, None) if current is not None and after != current else None
    if change.kind == "join":
        if current is not None and current.joined_time is not None and change.at <= current.joined_time:
            return None  # this join, or a later one, was applied already
        if current is not None and current.status == "in":
            after = current.model_copy(update=details)  # one membership, seen twice
            return (after, None) if after != current else None
        left = base.left_time
        status = "in" if left is None or change.at > left else "left"
        return base.model_copy(update={**details, "joined_time": change.at, "status": status}), "join"
    if current is not None and current.left_time is not None and change.at <= current.left_time:
        return None
    joined = base.joined_time
    status = "left" if base.status == "left" or joined is None or change.at >= joined else "in"
    return base.model_copy(update={**details, "left_time": change.at, "status": status}), "leave"


def _moment(at: int) -> datetime:
    return datetime.fromtimestamp(at, UTC)


def apply_changes(
    tenant_id: str, group: Group, changes: list[MemberChange], *, changed_at: int, last: Prepare | None = None
) -> tuple[int, int]:
    """Apply member changes in chunks (each one transaction, re-read and decided again when a
    member moved meanwhile); ``last`` joins the last chunk's transaction (written alone when that
    chunk changes nothing). Answers the joins and leaves counted."""
    ordered = sorted(changes, key=lambda change: (change.at, change.kind != "leave"))
    chunks = [ordered[start : start + CHUNK] for start in range(0, len(ordered), CHUNK)] or [[]]
    totals = [0, 0]
    for index, chunk in enumerate(chunks):
        closing = last if index == len(chunks) - 1 else None

        def attempt(_: int, chunk: list[MemberChange] = chunk, closing: Prepare | None = closing) -> tuple[int, int]:
            return _apply_chunk(tenant_id, group, chunk, changed_at, closing)

        joins, leaves = retry_on_race(attempt, races=ConcurrentUpdate)
        totals[0] += joins
        totals[1] += leaves
    return totals[0], totals[1]


def _apply_chunk(
    tenant_id: str, group: Group, chunk: list[MemberChange], changed_at: int, last: Prepare | None
) -> tuple[int, int]:
    stored = dal.members(tenant_id, group.chat_id, (change.userid for change in chunk))
    decided: dict[str, GroupMember] = {}
    joined: list[str] = []
    left: list[str] = []
    days: dict[Any, list[int]] = {}
    for change in chunk:  # oldest first; a member changed twice in a chunk is decided on its newest state
        current = decided.get(change.userid, stored.get(change.userid))
        outcome = member_transition(current, change, group.chat_id)
        if outcome is None:
            continue
        decided[change.userid], counted = outcome
        if counted is None:
            continue
        tally = days.setdefault(business_day(_moment(change.at), HOME_ZONE), [0, 0])
        if counted == "join":
            tally[0] += 1
            joined.append(change.userid)
        else:
            tally[1] += 1
            left.append(change.userid)
    if not decided:
        if last is not None:
            dal.close(last)
        return 0, 0
    delta = sum(
        int(after.status == "in") - int(userid in stored and stored[userid].status == "in")
        for userid, after in decided.items()
    )
    events: tuple[WeComGroupMembersChanged, ...] = ()
    if joined or left:
        events = (
            WeComGroupMembersChanged(
                corp_id=group.corp_id,
                chat_id=group.chat_id,
                owner=group.owner,
                joined=joined,
                left=left,
                changed_at=_moment(changed_at),
            ),
        )
    dal.save_members(
        tenant_id,
        group.chat_id,
        [
            dal.MemberWrite(after, stored[userid].version if userid in stored else None)
            for userid, after in decided.items()
        ],
        member_delta=delta,
        tallies=[dal.DayTally(day, group.owner, joins, leaves) for day, (joins, leaves) in days.items()],
        events=events,
        prepares=(last,) if last is not None else (),
    )
    return len(joined), len(left)


# ---- what WeCom says of a group -----------------------------------------------------------------
def _text(value: Any) -> str | None:
    return str(value)[:MAX_TEXT] if value not in (None, "") else None


def _scene(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= 1000 else None


def group_details(answer: dict[str, Any]) -> dict[str, Any]:
    """A group's details from groupchat/get's ``group_chat``."""
    created = answer.get("create_time")
    admins = [str(admin.get("userid")) for admin in answer.get("admin_list") or [] if admin.get("userid")]
    return {
        "name": _text(answer.get("name")),
        "owner": _text(answer.get("owner")),
        "notice": _text(answer.get("notice")),
        "admins": admins[:20],
        "created_at": rfc3339(_moment(int(created))) if isinstance(created, int) and created > 0 else None,
    }


def _member_details(entry: dict[str, Any]) -> dict[str, Any]:
    kinds: dict[Any, MemberType] = {1: "staff", 2: "customer"}
    kind = kinds.get(entry.get("type"))
    return {
        "type": kind,
        "name": _text(entry.get("name")),
        "unionid": _text(entry.get("unionid")),
        "group_nickname": _text(entry.get("group_nickname")),
        "invitor": _text((entry.get("invitor") or {}).get("userid")),
        "join_scene": _scene(entry.get("join_scene")),
    }


def snapshot_changes(stored: Iterable[GroupMember], answer: dict[str, Any], *, leave_at: int) -> list[MemberChange]:
    """What turns the stored members into WeCom's member list: joins (at their join_time, or at
    ``leave_at`` when that is no newer than what is stored), detail refreshes, and leaves at
    ``leave_at`` for members WeCom no longer lists."""
    known = {member.userid: member for member in stored}
    changes: list[MemberChange] = []
    listed: set[str] = set()
    for entry in answer.get("member_list") or []:
        userid = _text(entry.get("userid"))
        if userid is None or userid in listed:
            continue
        listed.add(userid)
        details = _member_details(entry)
        current = known.get(userid)
        if current is not None and current.status == "in":
            changes.append(MemberChange(userid, "refresh", leave_at, details))
            continue
        joined = entry.get("join_time")
        at = joined if isinstance(joined, int) and joined > 0 else leave_at
        latest = (
            max((t for t in (current.joined_time, current.left_time) if t is not None), default=0) if current else 0
        )
        changes.append(MemberChange(userid, "join", at if at > latest else max(leave_at, latest + 1), details))
    changes += [
        MemberChange(member.userid, "leave", leave_at)
        for member in known.values()
        if member.status == "in" and member.userid not in listed
    ]
    return changes


def save_details(tenant_id: str, corp_id: str, chat_id: str, details: dict[str, Any]) -> Group | None:
    """The group with WeCom's details (created when new); None when it was dismissed meanwhile."""

    def attempt(_: int) -> Group | None:
        current = dal.get(tenant_id, chat_id)
        if current is not None and current.status == "dismissed":
            return None
        base = current or Group(corp_id=corp_id, chat_id=chat_id)
        after = base.model_copy(update={**details, "synced_at": now_rfc3339()})
        return dal.save(tenant_id, after, expected_version=current.version if current else None)

    return retry_on_race(attempt, races=ConcurrentUpdate)


def reconcile(tenant_id: str, corp_id: str, answer: dict[str, Any], *, at: int, last: Prepare | None = None) -> bool:
    """Store WeCom's view of one group (groupchat/get): details, then the member diff. False
    when the group is dismissed here (nothing changed but ``last``)."""
    chat_id = str(answer.get("chat_id") or "")
    group = save_details(tenant_id, corp_id, chat_id, group_details(answer))
    if group is None:
        if last is not None:
            dal.close(last)
        return False
    changes = snapshot_changes(dal.every_member(tenant_id, chat_id), answer, leave_at=at)
    apply_changes(tenant_id, group, changes, changed_at=at, last=last)
    return True


# ---- callbacks ----------------------------------------------------------------------------------
def _listed_members(fields: dict[str, str]) -> list[str] | None:
    """MemChangeList's userids when it names every changed member (MemChangeCnt of them)."""
    listed = [userid.strip() for userid in (fields.get("MemChangeList") or "").split(",") if userid.strip()]
    listed = list(dict.fromkeys(userid[:128] for userid in listed))
    count = fields.get("MemChangeCnt", "")
    if not listed or (count.isdigit() and int(count) != len(listed)):
        return None
    return listed


def _fetch(tenant_id: str, corp_id: str, chat_id: str) -> dict[str, Any] | None:
    """groupchat/get's group, or None when WeCom cannot say (no secret, an unknown group)."""
    from services.wecom.gateways import client as wecom_api  # only callbacks that need WeCom load it

    credentials = settings_dal.credentials(tenant_id, corp_id)
    if credentials is None:
        return None
    try:
        answer = wecom_api.client().get_group(credentials, chat_id)
    except wecom_api.WeComApiError as error:  # 40050 and the like: the group is gone or not ours
        logger.info("customer group unavailable", extra={"errcode": error.errcode, "chat_id": chat_id})
        return None
    except wecom_api.WeComNotConfigured:
        logger.info("customer group unavailable: no contact secret", extra={"chat_id": chat_id})
        return None
    return answer if answer.get("chat_id") == chat_id else None


def apply(tenant_id: str, event_id: str, callback: WeComCallbackReceived) -> None:
    """One change_external_chat callback, applied with the ``wecom-callbacks`` marker."""
    fields = callback.fields
    change_type = callback.kind.split("/", 1)[-1]
    chat_id = (fields.get("ChatId") or "")[:128]
    at = int(callback.created_at.timestamp())
    marker = handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)
    if not chat_id:
        mark_handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)
        return
    if change_type == "dismiss":
        _dismiss(tenant_id, callback.corp_id, chat_id, at, marker)
        return
    group = dal.get(tenant_id, chat_id)
    if group is not None and group.status == "dismissed":
        mark_handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)
        return
    detail = fields.get("UpdateDetail", "")
    listed = _listed_members(fields) if change_type == "update" and detail in MEMBER_DETAILS else None
    direct = _direct_changes(fields, detail, listed, at) if listed else []
    if group is not None and direct:
        apply_changes(tenant_id, group, direct, changed_at=at, last=marker)
        return
    answer = _fetch(tenant_id, callback.corp_id, chat_id)
    if answer is None:
        if group is None and direct:  # WeCom cannot say more: the group is known by its members
            group = save_details(tenant_id, callback.corp_id, chat_id, {})
        if group is not None and direct:
            apply_changes(tenant_id, group, direct, changed_at=at, last=marker)
        else:
            mark_handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)
        return
    if not direct:
        reconcile(tenant_id, callback.corp_id, answer, at=at, last=marker)
        return
    if reconcile(tenant_id, callback.corp_id, answer, at=at):
        group = dal.get(tenant_id, chat_id)
        assert group is not None
        apply_changes(tenant_id, group, direct, changed_at=at, last=marker)
    else:
        mark_handled(CALLBACKS_CONSUMER.name, tenant_id, event_id)


def _direct_changes(fields: dict[str, str], detail: str, listed: list[str], at: int) -> list[MemberChange]:
    if detail == "add_member":
        details = {"join_scene": _scene(fields.get("JoinScene"))}
        return [MemberChange(userid, "join", at, details) for userid in listed]
    details = {"quit_scene": _scene(fields.get("QuitScene"))}
    return [MemberChange(userid, "leave", at, details) for userid in listed]


def _dismiss(tenant_id: str, corp_id: str, chat_id: str, at: int, marker: Prepare) -> None:
    def attempt(_: int) -> None:
        current = dal.get(tenant_id, chat_id)
        if current is not None and current.status == "dismissed":
            dal.close(marker)
            return
        base = current or Group(corp_id=corp_id, chat_id=chat_id)
        after = base.model_copy(
            update={"status": "dismissed", "dismissed_at": rfc3339(_moment(at)), "dismissed_time": at}
        )
        dal.save(tenant_id, after, expected_version=current.version if current else None, prepares=(marker,))

    retry_on_race(attempt, races=ConcurrentUpdate)


# ---- what staff see -----------------------------------------------------------------------------
ACTIVITY_WINDOW_DAYS = 30
LONGEST_ACTIVITY_DAYS = 366


def visible_group(staff: StaffPrincipal, chat_id: str) -> Group:
    """The group, when the staff member may see it (a guide: the groups they own); else 404."""
    group = dal.get(staff.tenant_id, chat_id)
    if group is None or (staff.sees_only_own_customers and group.owner != staff.staff_id):
        raise NotFound("No such group.")
    return group


def _owner_scope(staff: StaffPrincipal, owner: str | None) -> str | None:
    if not staff.sees_only_own_customers:
        return owner
    if owner is not None and owner != staff.staff_id:
        raise Forbidden("A guide sees only the groups they own.")
    return staff.staff_id


def list_groups(staff: StaffPrincipal, owner: str | None, limit: int, cursor: str | None) -> GroupList:
    found, next_cursor = dal.groups(staff.tenant_id, _owner_scope(staff, owner), limit, cursor)
    return GroupList(items=[group.view() for group in found], next_cursor=next_cursor)


def read_group(staff: StaffPrincipal, chat_id: str) -> GroupView:
    return visible_group(staff, chat_id).view()


def list_members(staff: StaffPrincipal, chat_id: str, limit: int, cursor: str | None) -> GroupMemberList:
    visible_group(staff, chat_id)
    found, next_cursor = dal.current_members(staff.tenant_id, chat_id, limit, cursor)
    return GroupMemberList(items=[member.view() for member in found], next_cursor=next_cursor)


def activity(
    staff: StaffPrincipal, *, first: date | None, last: date | None, owner: str | None, chat_id: str | None
) -> GroupActivity:
    """Joins and leaves per business day, of a group, an owner's groups or the tenant's."""
    last = last or business_day(utc_now(), HOME_ZONE)
    first = first or last - timedelta(days=ACTIVITY_WINDOW_DAYS - 1)
    if first > last or (last - first).days >= LONGEST_ACTIVITY_DAYS:
        raise Unprocessable(
            "from must not be after to, at most 366 days apart.",
            [{"loc": ["query", "from"], "msg": "not after to, within 366 days of it"}],
        )
    if chat_id is not None:
        scope = f"CHAT#{visible_group(staff, chat_id).chat_id}"
    else:
        scoped = _owner_scope(staff, owner)
        scope = f"OWNER#{scoped}" if scoped else "ALL"
    counted = dal.activity(staff.tenant_id, scope, first, last)
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    items = [
        ActivityDay(date=day, joins=counted.get(day, (0, 0))[0], leaves=counted.get(day, (0, 0))[1]) for day in days
    ]
    return GroupActivity(
        items=items, joins=sum(item.joins for item in items), leaves=sum(item.leaves for item in items)
    )
