"""What staff and members read of an account, the tenant's policy, and which contacts points knows.

Points hears of contacts through contacts' ContactCreated event, a moment after they exist. A
staff write for a contact it has not heard of yet opens the account itself when the contact's id
says it was created within ``ANNOUNCEMENT_WINDOW``; the event, when it lands, only records that
contacts announced it and leaves the account as it is (see docs/decisions.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from services.points.dal import ledger as dal
from services.points.logic.account_rules import expiring
from services.points.logic.ledger import account_of, holder_id
from services.points.models import Account, AccountView, Entry, StaffAccountView
from services.points.policy import PointsPolicy
from shared.clock import utc_now
from shared.errors import NotFound

# Longer than an announcement takes even through a few redeliveries; short enough that a mistyped
# id (whose time part decodes to anything) is almost never taken for a new contact.
ANNOUNCEMENT_WINDOW = timedelta(minutes=15)
CLOCK_SKEW = timedelta(minutes=1)
_ULID = re.compile(r"^(?:[a-z]+_)?([0-9A-HJKMNP-TV-Z]{10})[0-9A-HJKMNP-TV-Z]{16}$")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def view(account: Account) -> AccountView:
    return AccountView(
        balance=account.balance,
        lifetime_earned=account.lifetime_earned,
        tier=account.tier,
        expiring=expiring(account.lots),
    )


def member_account(tenant_id: str, contact_id: str) -> AccountView:
    """A signed-in member always has an account: an empty one until the first points. A member
    signed in as a contact since merged into another (an old token) sees the survivor's."""
    return view(account_of(tenant_id, contact_id))


def staff_account(tenant_id: str, contact_id: str) -> StaffAccountView:
    require_known(tenant_id, contact_id)
    account = dal.get_account(tenant_id, contact_id)
    return StaffAccountView(**view(account).model_dump(), contact_id=contact_id, merged_into=account.merged_into)


def entries(
    tenant_id: str, contact_id: str, limit: int, cursor: str | None, types: Sequence[str] | None
) -> tuple[list[Entry], str | None]:
    """A contact's own entries (staff read an absorbed contact's history as it was)."""
    return dal.list_entries(tenant_id, contact_id, limit, cursor, types)


def member_entries(
    tenant_id: str, contact_id: str, limit: int, cursor: str | None, types: Sequence[str] | None
) -> tuple[list[Entry], str | None]:
    """The member's entries: the survivor's for a contact merged into another, whose own history
    is summed up there by the ``merge_in`` entry that names it."""
    return entries(tenant_id, holder_id(tenant_id, contact_id), limit, cursor, types)


def staff_entries(
    tenant_id: str, contact_id: str, limit: int, cursor: str | None, types: Sequence[str] | None
) -> tuple[list[Entry], str | None]:
    require_known(tenant_id, contact_id)
    return entries(tenant_id, contact_id, limit, cursor, types)


def policy(tenant_id: str) -> PointsPolicy:
    return dal.get_policy(tenant_id, fresh=True)


def set_policy(tenant_id: str, new: PointsPolicy, actor: str, updated_at: str) -> PointsPolicy:
    dal.put_policy(tenant_id, new, actor, updated_at)
    return new


def note_contact(tenant_id: str, contact_id: str, event_id: str) -> None:
    """Contacts announced the contact. Only its marker is written: an account a staff write
    opened before the announcement keeps its entries."""
    dal.note_contact(tenant_id, contact_id, event_id)


def require_known(tenant_id: str, contact_id: str) -> None:
    if not dal.contact_known(tenant_id, contact_id):
        raise NotFound("No such contact.")


def require_writable(tenant_id: str, contact_id: str, now: datetime | None = None) -> None:
    """A staff write needs a contact points knows, or one created so recently that its
    announcement may still be on its way."""
    if not created_recently(contact_id, now or utc_now()):
        require_known(tenant_id, contact_id)


def created_recently(contact_id: str, now: datetime) -> bool:
    """True when the id is time-ordered (ULID) and its time lies within the announcement window."""
    match = _ULID.match(contact_id)
    if match is None:
        return False
    millis = 0
    for char in match.group(1):
        millis = millis * 32 + _CROCKFORD.index(char)
    created = datetime.fromtimestamp(millis / 1000, tz=now.tzinfo)
    return now - ANNOUNCEMENT_WINDOW <= created <= now + CLOCK_SKEW
