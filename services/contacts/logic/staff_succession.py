"""Owners follow WeCom's transfers (the wecom service's ``WeComStaffSucceeded`` and
``WeComCustomerTransferred``).

**Succession (离职继承).** A departed staff member's successor takes over every contact the member
owns, whatever the brand (tenant-wide ``*`` or a sub-brand): the member's whole portfolio passes
on. Read from the owner index (gsi1 ``T#{t}#OWNER#{staff}``) page by page; each contact is one
write over the version read with one ``ContactOwnerChanged`` per brand, as the owner route writes
it.

**A customer transferred.** A succeeded transfer moves the customer's contact (the holder of its
per-corp identity ``external_userid:<corp_id>``) to to_staff for each brand from_staff owned it
for; a contact owned by someone else (the owner was changed meanwhile) is left alone. Failed and
skipped transfers change nothing.

Both are idempotent by state (a contact no longer owned by the member is not touched); a
transfer's owner change carries the consumer's marker.
"""

from __future__ import annotations

from services.contacts.dal import contacts as dal
from services.contacts.models import CORP_KIND
from shared.clock import now_rfc3339
from shared.consumer import processed_marker
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate
from shared.events import contacts as events
from shared.events.wecom import WeComCustomerTransferred, WeComStaffSucceeded
from shared.retry import retry_on_race

PAGE = 100


def move_owner(
    tenant_id: str, contact_id: str, from_staff: str, to_staff: str, marker: tuple[str, str] | None = None
) -> bool:
    """The contact's brands owned by ``from_staff`` now owned by ``to_staff`` (with the consumer's
    ``marker`` = (consumer, event id) when given); whether it changed."""

    def attempt(_: int) -> bool:
        contact = dal.get(tenant_id, contact_id)
        if contact is None or contact.erased or contact.is_alias:
            return False
        brands = sorted(brand for brand, owner in contact.owners.items() if owner == from_staff)
        if not brands:
            return False
        updated = contact.model_copy(
            update={
                "owners": {**contact.owners, **dict.fromkeys(brands, to_staff)},
                "version": contact.version + 1,
                "updated_at": now_rfc3339(),
            }
        )
        changes = [
            events.ContactOwnerChanged(
                contact_id=contact_id, version=updated.version, brand=brand, previous_owner=from_staff, owner=to_staff
            )
            for brand in brands
        ]

        def mark(tx: Transaction) -> None:
            if marker is not None:
                processed_marker(tx, marker[0], tenant_id, marker[1])

        dal.save(contact, updated, list(changes), prepare=mark)
        return True

    return retry_on_race(attempt, races=ConcurrentUpdate)


def on_succeeded(tenant_id: str, succeeded: WeComStaffSucceeded) -> int:
    """Every contact the departed member owns, now the successor's; how many moved."""
    moved = 0
    cursor: str | None = None
    while True:
        page, cursor = dal.list_partition(tenant_id, dal.owner_partition(tenant_id, succeeded.staff_id), PAGE, cursor)
        for contact in page:
            moved += move_owner(tenant_id, contact.contact_id, succeeded.staff_id, succeeded.successor_id)
        if cursor is None:
            return moved


def on_transferred(consumer: str, tenant_id: str, event_id: str, transferred: WeComCustomerTransferred) -> bool:
    """A succeeded transfer's customer, now owned by to_staff where from_staff owned it."""
    if transferred.outcome != "succeeded":
        return False
    contact_id = dal.find_by_identity(tenant_id, f"{CORP_KIND}{transferred.corp_id}", transferred.external_userid)
    if contact_id is None:
        return False
    return move_owner(tenant_id, contact_id, transferred.from_staff, transferred.to_staff, (consumer, event_id))
