"""Directory entries in the cases table: T#{tenant}#CONTACT#{id} / DIRECTORY."""

from __future__ import annotations

from services.cases.logic.contact_directory import DirectoryEntry
from shared import dynamo
from shared.consumer import processed_marker
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate
from shared.settings import get_settings

CONSUMER = "cases-contact-directory"


def _key(tenant_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#CONTACT#{contact_id}", "sk": "DIRECTORY"}


def get(tenant_id: str, contact_id: str) -> tuple[DirectoryEntry, int]:
    """The entry and its revision (0 when there is none yet)."""
    item = dynamo.get_item(get_settings().table("cases"), _key(tenant_id, contact_id))
    if item is None:
        return DirectoryEntry(tenant_id=tenant_id, contact_id=contact_id), 0
    revision = int(item.pop("revision"))
    return DirectoryEntry.model_validate({k: v for k, v in item.items() if k in DirectoryEntry.model_fields}), revision


def save(entry: DirectoryEntry, revision: int, event_id: str) -> None:
    """Store the entry and mark the event handled, together; lose to a concurrent writer safely."""
    tx = Transaction(get_settings().table("cases"))
    processed_marker(tx, CONSUMER, entry.tenant_id, event_id)
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
