"""Directory entries in the cases table: T#{tenant}#CONTACT#{id} / DIRECTORY."""

from __future__ import annotations

from services.cases.dal.table import table
from services.cases.models import DirectoryEntry
from shared import dynamo
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate, DomainError


class EntryNotAsExpected(DomainError):
    """The entry is missing, erased, or already holds this brand's owner from a version as new."""


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


def set_owner_if_newer(
    tenant_id: str, contact_id: str, brand: str, owner: str | None, version: int, *prepares: Prepare
) -> bool:
    """One brand's owner, written without reading the entry: only onto an existing, unerased entry
    whose fact for the brand is older than ``version``. False when that condition does not hold
    (the caller then reads the entry and decides); the caller's items are written only with it."""
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    names = {"#owners": "owners", "#versions": "owner_versions", "#brand": brand}
    values: dict[str, object] = {":version": version, ":one": 1}
    if owner:
        expression = "SET #owners.#brand = :owner, #versions.#brand = :version, revision = revision + :one"
        values[":owner"] = owner
    else:
        expression = "SET #versions.#brand = :version, revision = revision + :one REMOVE #owners.#brand"
    tx.update(
        _key(tenant_id, contact_id),
        expression,
        condition=(
            "attribute_exists(pk) AND erased_version = :zero"
            " AND (attribute_not_exists(#versions.#brand) OR #versions.#brand < :version)"
        ),
        names=names,
        values={**values, ":zero": 0},
        on_fail=EntryNotAsExpected("the entry needs reading"),
    )
    try:
        tx.commit()
    except EntryNotAsExpected:
        return False
    return True
