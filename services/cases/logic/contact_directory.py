"""The cases service's copy of who owns each contact, per brand.

Events about one contact can arrive twice, late or out of order; each brand's owner remembers
the contact version it came from, and an older event never overwrites a newer fact.
"""

from __future__ import annotations

from pydantic import BaseModel

from services.cases.dal import contact_directory as dal
from services.cases.models import DirectoryEntry
from services.cases.service import CONTACT_DIRECTORY_CONSUMER
from shared.events import contacts as events
from shared.inbox import handled

__all__ = ["DirectoryEntry", "apply", "is_known", "record"]


def _set_owner(entry: DirectoryEntry, brand: str, owner: str | None, version: int) -> None:
    if entry.erased_version or entry.owner_versions.get(brand, 0) >= version:
        return
    entry.owner_versions[brand] = version
    if owner:
        entry.owners[brand] = owner
    else:
        entry.owners.pop(brand, None)


def apply(entry: DirectoryEntry, data: BaseModel) -> DirectoryEntry:
    updated = entry.model_copy(deep=True)
    if isinstance(data, events.ContactCreated):
        for brand, owner in data.owners.items():
            _set_owner(updated, brand, owner, data.version)
    elif isinstance(data, events.ContactOwnerChanged):
        _set_owner(updated, data.brand, data.owner, data.version)
    elif isinstance(data, events.ContactErased):
        updated.owners.clear()
        updated.owner_versions.clear()
        updated.erased_version = data.version
    return updated


ContactEvent = events.ContactCreated | events.ContactOwnerChanged | events.ContactErased


def record(tenant_id: str, data: ContactEvent, event_id: str) -> None:
    """Apply a contact event to the contact's entry, once per event (its marker is written with
    the entry); a concurrent writer wins and the event is redelivered.

    An owner change (a scan's first touch, a staff assignment) is written without a read when the
    entry exists and holds an older fact for the brand: the usual case, one request. Anything
    else — no entry yet, a stale or duplicate fact, an erased contact — reads the entry first."""
    marker = handled(CONTACT_DIRECTORY_CONSUMER.name, tenant_id, event_id)
    if isinstance(data, events.ContactOwnerChanged) and dal.set_owner_if_newer(
        tenant_id, data.contact_id, data.brand, data.owner, data.version, marker
    ):
        return
    entry, revision = dal.get(tenant_id, data.contact_id)
    dal.save(apply(entry, data), revision, marker)


def is_known(tenant_id: str, contact_id: str) -> bool:
    """Whether contacts has announced this contact to cases (and not erased it). Keys carry the
    tenant, so another tenant's contact is simply not known, like one that never existed."""
    entry, revision = dal.get(tenant_id, contact_id)
    return revision > 0 and not entry.erased_version
