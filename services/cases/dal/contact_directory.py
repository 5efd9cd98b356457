"""Directory entries in the cases table: T#{tenant}#CONTACT#{id} / DIRECTORY."""

from __future__ import annotations

import contextlib

from services.cases.dal.table import contact_pk, table
from services.cases.models import DirectoryEntry
from shared import dynamo
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate, DomainError


class EntryNotAsExpected(DomainError):
    """The entry is missing, erased, or already holds this brand's owner from a version as new."""


def _key(tenant_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": "DIRECTORY"}


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


class HolderMerged(ConcurrentUpdate):
    """The contact a case was about to be opened for was merged meanwhile: resolve it again."""


def record_alias(tenant_id: str, alias_id: str, survivor_id: str) -> None:
    """The alias points at its survivor, written without reading: an entry that does not exist yet
    (ContactsMerged came before the alias's ContactCreated) is created empty with the pointer. An
    alias already pointing somewhere keeps its first survivor (contacts never absorbs a contact
    twice): the repeat of an event is a no-op."""
    tx = Transaction(table())
    tx.update(
        _key(tenant_id, alias_id),
        "SET merged_into = :survivor, tenant_id = :tenant, contact_id = :contact, #kind = :kind,"
        " owners = if_not_exists(owners, :none), owner_versions = if_not_exists(owner_versions, :none),"
        " erased_version = if_not_exists(erased_version, :zero), revision = if_not_exists(revision, :zero) + :one",
        condition="attribute_not_exists(merged_into)",
        names={"#kind": "kind"},
        values={
            ":survivor": survivor_id,
            ":tenant": tenant_id,
            ":contact": alias_id,
            ":kind": "directory",
            ":none": {},
            ":zero": 0,
            ":one": 1,
        },
        on_fail=EntryNotAsExpected("already merged"),
    )
    with contextlib.suppress(EntryNotAsExpected):
        tx.commit()


def still_holder(tenant_id: str, contact_id: str) -> Prepare:
    """A transaction item that fails (``HolderMerged``) if the contact was merged into another since
    it was read: so no case lands on a contact whose cases the merge has already moved."""

    def check(tx: Transaction) -> None:
        tx.check(
            _key(tenant_id, contact_id),
            "attribute_not_exists(merged_into)",
            on_fail=HolderMerged(f"{contact_id} was merged meanwhile"),
        )

    return check
