"""群接龙: sign-up sheets posted to a customer group, joined by members through an H5 link.

Staff who may see the group post a sheet (title, capacity 1..1000, deadline) and read it with its
entries in number order. A member (identified by their member token's contact) joins once and
gets a number 1..capacity; the rules that keep the numbers unique, never above capacity and
gap-free are conditions in the data layer (``dal.signups``), so a join decided on a sheet that
moved meanwhile is refused there and decided again here on fresh state. A withdrawal gives the
number back: the next member to join takes the lowest number given back, so the numbers in use
are 1..N again. Nobody joins or withdraws from the deadline on (the list is final then). Full,
past its deadline, or already joined → 409 (``reason`` full, closed, already_joined): a repeated
join never takes a second place.
"""

from __future__ import annotations

import random
import time

from services.wecom.dal import signups as dal
from services.wecom.group_models import (
    MyEntry,
    MySignupView,
    SignupDetail,
    SignupEntry,
    SignupEntryView,
    SignupList,
    SignupRequest,
    SignupSheet,
    SignupView,
)
from services.wecom.logic.groups import visible_group
from shared import ids
from shared.auth.principal import MemberPrincipal, StaffPrincipal
from shared.clock import now_epoch, now_rfc3339, rfc3339
from shared.errors import ConcurrentUpdate, Conflict, NotFound, Unprocessable
from shared.retry import retry_on_race

# Every member racing for a sheet's next number is refused but one per round; each is decided
# again on fresh state at once (a short, capped jitter spreads them), up to this many times.
JOIN_ATTEMPTS = 100


def _now() -> int:
    return int(now_epoch())


def create(staff: StaffPrincipal, body: SignupRequest) -> SignupView:
    group = visible_group(staff, body.chat_id)
    now = _now()
    deadline = int(body.deadline.timestamp())
    if deadline <= now:
        where = [{"loc": ["body", "deadline"], "msg": "in the past"}]
        raise Unprocessable("The deadline must be in the future.", where)
    sheet = SignupSheet(
        tenant_id=staff.tenant_id,
        sheet_id=ids.new_id("su_"),
        corp_id=group.corp_id,
        chat_id=group.chat_id,
        title=body.title,
        capacity=body.capacity,
        deadline=rfc3339(body.deadline),
        deadline_time=deadline,
        created_by=staff.staff_id,
        created_at=now_rfc3339(),
    )
    dal.create(sheet)
    return sheet.view(now)


def list_sheets(staff: StaffPrincipal, chat_id: str | None, limit: int, cursor: str | None) -> SignupList:
    if chat_id is not None:
        visible_group(staff, chat_id)
    elif staff.sees_only_own_customers:
        raise Unprocessable(
            "Name the group (chat_id): a guide sees the sheets of the groups they own.",
            [{"loc": ["query", "chat_id"], "msg": "required for a guide"}],
        )
    found, next_cursor = dal.sheets(staff.tenant_id, chat_id, limit, cursor)
    now = _now()
    return SignupList(items=[sheet.view(now) for sheet in found], next_cursor=next_cursor)


def _read(tenant_id: str, sheet_id: str) -> tuple[SignupSheet, list[SignupEntry]]:
    found = dal.read(tenant_id, sheet_id)
    if found is None:
        raise NotFound("No such sign-up sheet.")
    return found


def detail(staff: StaffPrincipal, sheet_id: str) -> SignupDetail:
    sheet, entries = _read(staff.tenant_id, sheet_id)
    try:
        visible_group(staff, sheet.chat_id)
    except NotFound:  # a sheet of a group the caller does not see is one that does not exist
        raise NotFound("No such sign-up sheet.") from None
    listed = [SignupEntryView.model_validate(entry.model_dump()) for entry in entries]
    return SignupDetail(**sheet.view(_now()).model_dump(), entries=listed)


def _mine(member: MemberPrincipal, sheet: SignupSheet, entries: list[SignupEntry]) -> MySignupView:
    entry = _entry_of(member, entries)
    return MySignupView(
        sheet=sheet.member_view(_now()),
        my_entry=MyEntry(number=entry.number, joined_at=entry.joined_at) if entry else None,
    )


def mine(member: MemberPrincipal, sheet_id: str) -> MySignupView:
    return _mine(member, *_read(member.tenant_id, sheet_id))


def _entry_of(member: MemberPrincipal, entries: list[SignupEntry]) -> SignupEntry | None:
    return next((entry for entry in entries if entry.contact_id == member.contact_id), None)


def _refusal(member: MemberPrincipal, stood: dal.Stored | None, now: int) -> Exception | None:
    """Why the sheet as it stood takes no join from the member; None when a number is free."""
    if stood is None:
        return NotFound("No such sign-up sheet.")
    sheet, entries = stood
    if _entry_of(member, entries) is not None:
        return Conflict("You have joined this sheet already.", reason="already_joined")
    if not sheet.is_open(now):
        return Conflict("The sign-up sheet is closed (its deadline has passed).", reason="closed")
    if sheet.taken >= sheet.capacity:
        return Conflict("The sign-up sheet is full.", reason="full")
    return None


def join(member: MemberPrincipal, sheet_id: str) -> MySignupView:
    """A place for the member: the sheet's next number, or the lowest one a withdrawal gave back.
    The write is tried at once; a refusal's sheet tells why (or which number is free now)."""
    free: int | None = None

    def attempt(number: int) -> MySignupView:
        nonlocal free
        if number:
            time.sleep(random.uniform(0, 0.004) * min(number, 5))  # noqa: S311 - jitter, not security
        now = _now()
        try:
            sheet, entries = dal.join(member.tenant_id, sheet_id, member.contact_id, now_rfc3339(), now, free)
        except dal.Refused as refused:
            reason = _refusal(member, refused.stood, now)
            if reason is not None:
                raise reason from None
            given_back = refused.stood[0].free if refused.stood else set()
            free = min(given_back) if given_back else None
            raise ConcurrentUpdate("a number was taken or given back meanwhile") from None
        return _mine(member, sheet, entries)

    return retry_on_race(
        attempt,
        races=ConcurrentUpdate,
        attempts=JOIN_ATTEMPTS,
        backoff=False,
        exhausted=lambda: ConcurrentUpdate("The sheet is busy; try again.", reason="busy"),
    )


def withdraw(member: MemberPrincipal, sheet_id: str) -> MySignupView:
    """The member gives their place back (until the deadline)."""
    _, entries = _read(member.tenant_id, sheet_id)
    entry = _entry_of(member, entries)
    if entry is None:
        raise NotFound("You have not joined this sheet.")
    try:
        after = dal.withdraw(member.tenant_id, sheet_id, member.contact_id, entry.number, _now())
    except dal.Refused as refused:
        if refused.stood is None or _entry_of(member, refused.stood[1]) is None:
            raise NotFound("You have not joined this sheet.") from None
        raise Conflict("The sign-up sheet is closed (its deadline has passed).", reason="closed") from None
    return _mine(member, *after)
