"""The only code that touches the contacts table.

Item layout (pk / sk), every key prefixed by the tenant:
- contact   T#{tenant}#C#{id} / PROFILE      listed through gsi1: T#{tenant}#CONTACTS / {id}
- tag       T#{tenant}#C#{id} / TAG#{tag}     gsi1: T#{tenant}#TAG#{tag} / {id}
- owner     T#{tenant}#C#{id} / OWNER#{brand} gsi1: T#{tenant}#OWNER#{staff} / {id}
- identity  T#{tenant}#ID#{kind}#{value} / IDENTITY  → contact_id; created only if absent, which
  is what makes an identity belong to at most one contact per tenant.
- timeline  T#{tenant}#C#{id} / TL#{event id}      what happened to the contact, oldest first
- source    T#{tenant}#C#{id} / SOURCE            gsi1: T#{tenant}#SOURCE#{campaign} / {id}, for
  a contact acquired by a campaign's code
- daily     T#{tenant}#DAILY / DAY#{date}#{shard}  new contacts per business day (see ``daily``),
  counted in the transaction that creates the contact
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from pydantic import BaseModel

from services.contacts.models import BUSINESS_ZONE, Contact
from shared import daily, dynamo
from shared.dynamo import Page, Prepare, Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.outbox import publish_with
from shared.settings import get_settings

GSI = "gsi1"


class IdentityTaken(Conflict):
    """Another contact holds one of the identities: a lost race when two writers claimed it."""


class ContactExists(Conflict):
    """A new contact's id is taken: only ever a race, as ids are random."""


def table() -> str:
    return get_settings().table("contacts")


def contact_pk(tenant_id: str, contact_id: str) -> str:
    return f"T#{tenant_id}#C#{contact_id}"


def identity_key(tenant_id: str, kind: str, value: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#ID#{kind}#{value}", "sk": "IDENTITY"}


def all_contacts_partition(tenant_id: str) -> str:
    return f"T#{tenant_id}#CONTACTS"


def tag_partition(tenant_id: str, tag: str) -> str:
    return f"T#{tenant_id}#TAG#{tag}"


def owner_partition(tenant_id: str, staff_id: str) -> str:
    return f"T#{tenant_id}#OWNER#{staff_id}"


def source_partition(tenant_id: str, campaign_id: str) -> str:
    return f"T#{tenant_id}#SOURCE#{campaign_id}"


def _contact_item(contact: Contact) -> dict[str, Any]:
    item = {"pk": contact_pk(contact.tenant_id, contact.contact_id), "sk": "PROFILE", "kind": "contact"}
    item.update(contact.model_dump(mode="json", exclude_none=True))
    if not contact.erased:
        item.update(gsi1pk=all_contacts_partition(contact.tenant_id), gsi1sk=contact.contact_id)
    return item


def _side_items(contact: Contact | None) -> dict[tuple[str, str], dict[str, Any]]:
    """Tag, owner and identity items that a contact implies, by key."""
    if contact is None or contact.erased:
        return {}
    tenant, contact_id = contact.tenant_id, contact.contact_id
    pk = contact_pk(tenant, contact_id)
    items: list[dict[str, Any]] = []
    for tag in contact.tags:
        items.append(
            {
                "pk": pk,
                "sk": f"TAG#{tag}",
                "kind": "tag",
                "gsi1pk": tag_partition(tenant, tag),
                "gsi1sk": contact_id,
                "contact_id": contact_id,
            }
        )
    for brand, staff_id in contact.owners.items():
        items.append(
            {
                "pk": pk,
                "sk": f"OWNER#{brand}",
                "kind": "owner",
                "gsi1pk": owner_partition(tenant, staff_id),
                "gsi1sk": contact_id,
                "contact_id": contact_id,
                "brand": brand,
                "staff_id": staff_id,
            }
        )
    campaign_id = (contact.source or {}).get("campaign_id")
    if campaign_id:
        items.append(
            {
                "pk": pk,
                "sk": "SOURCE",
                "kind": "source",
                "gsi1pk": source_partition(tenant, campaign_id),
                "gsi1sk": contact_id,
                "contact_id": contact_id,
            }
        )
    for kind, value in contact.identities.by_kind().items():
        items.append(
            {
                **identity_key(tenant, kind, value),
                "kind": "identity",
                "identity_kind": kind,
                "contact_id": contact_id,
            }
        )
    return {(item["pk"], item["sk"]): item for item in items}


def save(
    before: Contact | None,
    after: Contact,
    events: list[BaseModel],
    *,
    prepare: Prepare | None = None,
) -> None:
    """Write a contact's new state, its side items and its events in one transaction.

    The contact's version guards against lost updates; identity items are created only if no
    contact holds them yet, which is the uniqueness guarantee. A new contact counts in its day's
    figures in the same transaction: a creation that fails or is replayed counts nothing.
    """
    tx = Transaction(table())
    if prepare is not None:
        prepare(tx)
    changed_meanwhile = ConcurrentUpdate("The contact changed meanwhile; read it again and retry.")
    if before is None:
        tx.create(_contact_item(after), on_fail=ContactExists("The contact already exists."))
        day = daily.business_day(after.created_at, BUSINESS_ZONE)
        daily.count(tx, after.tenant_id, daily.DayCount(day, {"new_contacts": 1}))
    elif after == before:  # nothing to write, but what was decided from it must still hold
        tx.check(
            {"pk": contact_pk(before.tenant_id, before.contact_id), "sk": "PROFILE"},
            "version = :v",
            values={":v": before.version},
            on_fail=changed_meanwhile,
        )
    else:
        tx.put(_contact_item(after), condition="version = :v", values={":v": before.version}, on_fail=changed_meanwhile)
    old, new = _side_items(before), _side_items(after)
    for key, item in new.items():
        if key in old and old[key] == item:
            continue
        if item["kind"] == "identity":
            kind = item["identity_kind"]
            tx.create(
                item,
                on_fail=IdentityTaken(f"The {kind.split(':')[0]} is already used by another contact.", identity=kind),
            )
        else:
            tx.put(item)
    for key in old.keys() - new.keys():
        tx.delete({"pk": key[0], "sk": key[1]}, condition="contact_id = :c", values={":c": after.contact_id})
    publish_with(tx, after.tenant_id, *events)
    tx.commit()


def timeline_item(tenant_id: str, contact_id: str, entry_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": f"TL#{entry_id}", "kind": "timeline", **entry}


def get(tenant_id: str, contact_id: str) -> Contact | None:
    item = dynamo.get_item(table(), {"pk": contact_pk(tenant_id, contact_id), "sk": "PROFILE"})
    return Contact.model_validate(item) if item else None


def find_by_identity(tenant_id: str, kind: str, value: str) -> str | None:
    item = dynamo.get_item(table(), identity_key(tenant_id, kind, value))
    return str(item["contact_id"]) if item else None


def list_partition(tenant_id: str, partition: str, limit: int, cursor: str | None) -> tuple[list[Contact], str | None]:
    """One page of contact ids from gsi1, then their profiles in one batch read."""
    page: Page = dynamo.query_page(
        table(), partition_attr="gsi1pk", partition_value=partition, limit=limit, cursor=cursor, index=GSI
    )
    ids = [str(item["gsi1sk"]) for item in page.items]
    return get_many(tenant_id, ids), page.next_cursor


def get_many(tenant_id: str, contact_ids: list[str]) -> list[Contact]:
    found: dict[str, Contact] = {}
    for start in range(0, len(contact_ids), 100):
        keys = [
            dynamo.serialize({"pk": contact_pk(tenant_id, cid), "sk": "PROFILE"})
            for cid in contact_ids[start : start + 100]
        ]
        request: dict[str, Any] = {table(): {"Keys": keys, "ConsistentRead": True}}
        while request:
            answer = dynamo.client().batch_get_item(RequestItems=request)
            for raw in answer.get("Responses", {}).get(table(), []):
                contact = Contact.model_validate(dynamo.deserialize(raw))
                found[contact.contact_id] = contact
            request = answer.get("UnprocessedKeys") or {}
    return [found[cid] for cid in contact_ids if cid in found and not found[cid].erased]


def daily_figures(tenant_id: str, dates: list[date], fields: Iterable[str]) -> list[dict[str, Any]]:
    """The tenant's daily counters over ``dates`` (shared.daily): one Query of this table."""
    return daily.read(table(), tenant_id, dates, fields)
