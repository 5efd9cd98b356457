"""The cases service's copy of who owns each contact, per brand.

Events about one contact can arrive twice, late or out of order; each brand's owner remembers
the contact version it came from, and an older event never overwrites a newer fact.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.events import contacts as events


class DirectoryEntry(BaseModel):
    tenant_id: str
    contact_id: str
    owners: dict[str, str] = Field(default_factory=dict)
    owner_versions: dict[str, int] = Field(default_factory=dict)
    erased_version: int = 0


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
