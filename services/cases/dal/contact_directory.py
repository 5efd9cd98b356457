"""Directory entries in the cases table: T#{tenant}#CONTACT#{id} / DIRECTORY."""

from __future__ import annotations

from services.cases.dal.table import table
from services.cases.models import DirectoryEntry
from shared import dynamo
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate


def _key(tenant_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#CONTACT#{contact_id}", "sk": "DIRECTORY"}


def get(tenant_id: str, contact_id: str) -> tuple[DirectoryEntry, int]:
    """The entry and its revision (0 when there is none yet)."""
    item = dynamo.get_item(table(), _key(tenant_id, contact_id))
    if item is None:
        return DirectoryEntry(tenant_id=tenant_id, contact_id=contact_id), 0
    revision = int(item.pop("revision"))
    return DirectoryEntry.model_validate({k: v for k, v in item.items() if k in DirectoryEntry.model_fields}), revision


def save(entry: DirectoryEntry, revision: int, *prepares: Prepare) -> None:
    """Store the entry over the revision read, with the caller's items (the event's processed
    marker); lose to a concurrent writer safely."""
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    item = {
        **_key(entry.tenant_id, entry.contact_id),
        "kind": "directory",
        "revision": revision + 1,
        **entry.model_dump(mode="json"),
    }
    if revision:
        tx.put(
            item,
            condition="revision = :r",
            values={":r": revision},
            on_fail=ConcurrentUpdate("directory moved"),
        )
    else:
        tx.create(item, on_fail=ConcurrentUpdate("directory moved"))
    tx.commit()
