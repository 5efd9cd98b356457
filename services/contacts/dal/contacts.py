"""The only code that touches the contacts table.

Item layout (pk / sk), every key prefixed by the tenant:
- contact   T#{tenant}#C#{id} / PROFILE      listed through gsi1: T#{tenant}#CONTACTS / {id}
- tag       T#{tenant}#C#{id} / TAG#{tag}     gsi1: T#{tenant}#TAG#{tag} / {id}
- owner     T#{tenant}#C#{id} / OWNER#{brand} gsi1: T#{tenant}#OWNER#{staff} / {id}
- identity  T#{tenant}#ID#{kind}#{value} / IDENTITY  → contact_id; created only if absent, which
  is what makes an identity belong to at most one contact per tenant. A WeCom customer's
  (``external_userid:<corp>``) is also in gsi1: T#{tenant}#EXTUID#{value} / {id}, so the API's
  ``?external_userid=`` finds it without knowing the corp.
- timeline  T#{tenant}#C#{id} / TL#{occurred_at}#{event id}   one fact about the contact (see
  "Timeline" below); the key comes from the event alone, so a fact is written once wherever it is
  delivered from, and a merge copies the alias's entries under the survivor with the same keys
- order     T#{tenant}#ORDER#{partner}#{order id} / ORDER   → the buyer's contact id, so that a
  refund (which names only the order) reaches the buyer's timeline
- progress  T#{tenant}#TLCOPY#{alias}#{survivor} / COPY   where a merge's timeline copy stopped
- insight   T#{tenant}#C#{id} / INSIGHT           what contacts derives from the facts (``dal/insight.py``);
  an erasure deletes it
- source    T#{tenant}#C#{id} / SOURCE            gsi1: T#{tenant}#SOURCE#{campaign} / {id}, for
  a contact acquired by a campaign's code
- daily     T#{tenant}#DAILY / DAY#{date}#{shard}  new contacts per business day (see ``daily``),
  counted in the transaction that creates the contact
- names     T#{tenant}#ATTRIBUTES / NAMES      every attribute name the tenant's contacts were given
  (a string set, added to after a save that brings a new name): what segment rules may name
- merge     T#{tenant}#C#{survivor} / MERGE#{time}#{merge id}   one per merge, written with it; the
  merge also copies the alias's log under the survivor, so one partition holds every merge that
  made a contact (the alias keeps its own, unread: reads resolve an alias to its survivor)
- candidate T#{tenant}#CAND#{id}#{id} / CANDIDATE  gsi1: T#{tenant}#CANDIDATES / {time}#{ids}: two
  contacts that may be one person but could not be merged safely; deleted by their merge (a pair
  resolved otherwise, by a chain of merges or an erasure, stays and is skipped by the listing)
An alias (a contact merged into another) keeps its PROFILE with ``merged_into`` and nothing else:
no listing, no tag, owner, source or identity items (its identities point to the survivor).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from contextlib import suppress
from datetime import date
from typing import Any

from pydantic import BaseModel

from services.contacts.dal.profile_snapshot import current_profile, profile_changes
from services.contacts.models import BUSINESS_ZONE, CORP_KIND, Contact, MergeCandidate, MergeEntry, TimelineEntry
from shared import daily, dynamo
from shared.consumer import AlreadyProcessed
from shared.dynamo import MAX_TRANSACTION_ITEMS, Filter, Page, Prepare, Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.manifest import TTL_ATTRIBUTE
from shared.outbox import publish_with
from shared.settings import get_settings

GSI = "gsi1"
INSIGHT_SK = "INSIGHT"
PROFILE_SK = "PROFILE"  # a contact's profile item, in its partition
COPY_PROGRESS_SECONDS = 7 * 24 * 3600  # an unfinished copy is resumed within minutes


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


def corp_user_partition(tenant_id: str, external_userid: str) -> str:
    return f"T#{tenant_id}#EXTUID#{external_userid}"


def _contact_item(contact: Contact) -> dict[str, Any]:
    item = {"pk": contact_pk(contact.tenant_id, contact.contact_id), "sk": PROFILE_SK, "kind": "contact"}
    item.update(contact.model_dump(mode="json", exclude_none=True))
    if not item.get("merged_from"):
        item.pop("merged_from", None)
    if not contact.erased and not contact.is_alias:  # erased and merged contacts leave the listing
        item.update(gsi1pk=all_contacts_partition(contact.tenant_id), gsi1sk=contact.contact_id)
    return item


def _side_items(contact: Contact | None) -> dict[tuple[str, str], dict[str, Any]]:
    """Tag, owner and identity items that a contact implies, by key."""
    if contact is None or contact.erased or contact.is_alias:
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
        item = {
            **identity_key(tenant, kind, value),
            "kind": "identity",
            "identity_kind": kind,
            "contact_id": contact_id,
        }
        if kind.startswith(CORP_KIND):
            item |= {"gsi1pk": corp_user_partition(tenant, value), "gsi1sk": contact_id}
        items.append(item)
    return {(item["pk"], item["sk"]): item for item in items}


Change = tuple[Contact | None, Contact]
"""A contact's state as read (None: new) and as it is to be written."""


class MergeTooLarge(Conflict):
    """A merge whose writes cannot fit one transaction even with the alias's index clean-up deferred."""


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
    save_all([(before, after)], events, prepare=prepare)


def save_all(
    changes: list[Change],
    events: list[BaseModel],
    *,
    prepare: Prepare | None = None,
    defer_index_cleanup: bool = False,
) -> None:
    """Write several contacts' new states, their side items and the events in one transaction
    (a merge writes the survivor, the alias and the aliases it already had).

    Side items are compared across all the contacts: an identity item that moves from one
    contact to another is re-pointed on the condition that it still names the contact it was
    read with. ``defer_index_cleanup``: when the transaction would pass DynamoDB's limit, the
    deletions of tag, owner and source items of contacts that leave the listing (a merge's
    alias) are made after the commit; until then readers skip them (``get_many`` drops aliases).
    Every contact whose profile snapshot changes is published as ``ContactProfileChanged`` with
    them (``profile_snapshot``), counted in the transaction's size like any event.
    """
    events = [*events, *profile_changes(changes)]
    tx = Transaction(table())
    if prepare is not None:
        prepare(tx)
    old: dict[tuple[str, str], dict[str, Any]] = {}
    new: dict[tuple[str, str], dict[str, Any]] = {}
    for before, after in changes:
        _write_profile(tx, before, after)
        if after.erased and before is not None and not before.erased:  # its derived facts go with it
            tx.delete({"pk": contact_pk(after.tenant_id, after.contact_id), "sk": INSIGHT_SK})
        old.update(_side_items(before))
        new.update(_side_items(after))
    _write_side_items(tx, old, new)
    gone = [old[key] for key in old.keys() - new.keys()]
    deferred: list[dict[str, Any]] = []
    if defer_index_cleanup and len(tx) + len(gone) + len(events) > MAX_TRANSACTION_ITEMS:
        deferred = [item for item in gone if item["kind"] != "identity"]
        gone = [item for item in gone if item["kind"] == "identity"]
    for item in gone:
        tx.delete({"pk": item["pk"], "sk": item["sk"]}, condition="contact_id = :c", values={":c": item["contact_id"]})
    publish_with(tx, changes[0][1].tenant_id, *events)
    if defer_index_cleanup and len(tx) > MAX_TRANSACTION_ITEMS:
        raise MergeTooLarge(f"The merge needs {len(tx)} writes; one transaction holds {MAX_TRANSACTION_ITEMS}.")
    tx.commit()
    for item in deferred:
        _delete_if_still_of(item)
    for before, after in changes:
        _remember_attribute_names(after.tenant_id, set(after.attributes) - set(before.attributes if before else {}))


# Attribute names a tenant's contacts hold (for segment rules: an unknown attribute is refused).
# Names this process added already are not added again.
_ATTRIBUTE_NAMES_ADDED: dict[str, set[str]] = {}


def _attributes_key(tenant_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#ATTRIBUTES", "sk": "NAMES"}


def _remember_attribute_names(tenant_id: str, names: set[str]) -> None:
    added = _ATTRIBUTE_NAMES_ADDED.setdefault(tenant_id, set())
    new = names - added
    if not new:
        return
    dynamo.client().update_item(
        TableName=table(),
        Key=dynamo.serialize(_attributes_key(tenant_id)),
        UpdateExpression="ADD #names :n SET kind = :k",
        ExpressionAttributeNames={"#names": "names"},
        ExpressionAttributeValues=dynamo.serialize({":n": new, ":k": "attribute_names"}),
    )
    added |= new


def attribute_names(tenant_id: str) -> set[str]:
    """Every attribute name a contact of the tenant was given (names are never forgotten)."""
    item = dynamo.get_item(table(), _attributes_key(tenant_id))
    return {str(name) for name in item.get("names", set())} if item else set()


def _changed_meanwhile() -> ConcurrentUpdate:
    return ConcurrentUpdate("The contact changed meanwhile; read it again and retry.")


def _write_profile(tx: Transaction, before: Contact | None, after: Contact) -> None:
    if before is None:
        tx.create(_contact_item(after), on_fail=ContactExists("The contact already exists."))
        day = daily.business_day(after.created_at, BUSINESS_ZONE)
        daily.count(tx, after.tenant_id, daily.DayCount(day, {"new_contacts": 1}))
    elif after == before:  # nothing to write, but what was decided from it must still hold
        tx.check(
            {"pk": contact_pk(before.tenant_id, before.contact_id), "sk": PROFILE_SK},
            "version = :v",
            values={":v": before.version},
            on_fail=_changed_meanwhile(),
        )
    else:
        tx.put(
            _contact_item(after), condition="version = :v", values={":v": before.version}, on_fail=_changed_meanwhile()
        )


def _write_side_items(
    tx: Transaction, old: dict[tuple[str, str], dict[str, Any]], new: dict[tuple[str, str], dict[str, Any]]
) -> None:
    for key, item in new.items():
        previous = old.get(key)
        if previous == item:
            continue
        if item["kind"] != "identity":
            tx.put(item)
        elif previous is not None:  # moves to another contact (a merge): only from the one read
            tx.put(
                item, condition="contact_id = :c", values={":c": previous["contact_id"]}, on_fail=_changed_meanwhile()
            )
        else:
            kind = item["identity_kind"]
            tx.create(
                item,
                on_fail=IdentityTaken(f"The {kind.split(':')[0]} is already used by another contact.", identity=kind),
            )


def _delete_if_still_of(item: dict[str, Any]) -> None:
    """Delete an index item left by a contact that no longer lists (idempotent: an item already
    gone or since taken by another contact is left alone)."""
    with suppress(ConcurrentUpdate):
        key = {"pk": item["pk"], "sk": item["sk"]}
        Transaction(table()).delete(key, condition="contact_id = :c", values={":c": item["contact_id"]}).commit()


def get(tenant_id: str, contact_id: str) -> Contact | None:
    item = dynamo.get_item(table(), {"pk": contact_pk(tenant_id, contact_id), "sk": PROFILE_SK})
    return Contact.model_validate(item) if item else None


def find_by_identity(tenant_id: str, kind: str, value: str) -> str | None:
    item = dynamo.get_item(table(), identity_key(tenant_id, kind, value))
    return str(item["contact_id"]) if item else None


def find_by_corp_external_userid(tenant_id: str, external_userid: str) -> str | None:
    """The contact holding this WeCom external_userid in any corp (one query of gsi1)."""
    page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=corp_user_partition(tenant_id, external_userid),
        limit=1,
        cursor=None,
        index=GSI,
        attributes=("gsi1sk",),
    )
    return str(page.items[0]["gsi1sk"]) if page.items else None


def list_partition(tenant_id: str, partition: str, limit: int, cursor: str | None) -> tuple[list[Contact], str | None]:
    """One page of contact ids from gsi1, then their profiles in one batch read."""
    page: Page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=partition,
        limit=limit,
        cursor=cursor,
        index=GSI,
        attributes=("gsi1sk",),
    )
    return get_many(tenant_id, [str(item["gsi1sk"]) for item in page.items]), page.next_cursor


def contact_ids_page(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[str], str | None]:
    """One page of the tenant's live contacts' ids, from the listing index (by id)."""
    page: Page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=all_contacts_partition(tenant_id),
        limit=limit,
        cursor=cursor,
        index=GSI,
        attributes=("gsi1sk",),
    )
    return [str(item["gsi1sk"]) for item in page.items], page.next_cursor


def republish_profiles(tenant_id: str, contacts: list[Contact]) -> None:
    """Publish each contact's profile snapshot again as it stands (``ContactProfileChanged``),
    a transaction of outbox items per ``MAX_TRANSACTION_ITEMS`` contacts; writes nothing else."""
    for start in range(0, len(contacts), MAX_TRANSACTION_ITEMS):
        tx = Transaction(table())
        publish_with(tx, tenant_id, *(current_profile(c) for c in contacts[start : start + MAX_TRANSACTION_ITEMS]))
        tx.commit()


def get_many(tenant_id: str, contact_ids: list[str]) -> list[Contact]:
    """The live contacts among ``contact_ids``, in their order (erased contacts and aliases left out)."""
    found = profiles(tenant_id, contact_ids)
    # An alias's index items may outlive its merge for a moment (``save_all``): never listed.
    return [found[cid] for cid in contact_ids if cid in found and not found[cid].erased and not found[cid].is_alias]


def profiles(tenant_id: str, contact_ids: list[str]) -> dict[str, Contact]:
    """Every stored profile among ``contact_ids`` (erased ones and aliases too), by id."""
    keys = [{"pk": contact_pk(tenant_id, contact_id), "sk": PROFILE_SK} for contact_id in dict.fromkeys(contact_ids)]
    contacts = (Contact.model_validate(item) for item in dynamo.batch_get(table(), keys))
    return {contact.contact_id: contact for contact in contacts}


def daily_figures(tenant_id: str, dates: list[date], fields: Iterable[str]) -> list[dict[str, Any]]:
    """The tenant's daily counters over ``dates`` (shared.daily): one Query of this table."""
    return daily.read(table(), tenant_id, dates, fields)


# Merges and merge candidates ------------------------------------------------------------------
def merge_entry_item(tenant_id: str, entry: MergeEntry, *, under: str | None = None) -> dict[str, Any]:
    """A merge's log entry, under its survivor or (a copy, at a later merge) under ``under``."""
    return {
        "pk": contact_pk(tenant_id, under or entry.survivor_id),
        "sk": f"MERGE#{entry.merged_at}#{entry.merge_id}",
        "kind": "merge",
        **entry.model_dump(mode="json", exclude_none=True),
    }


def _merge_log_request(tenant_id: str, contact_id: str) -> dict[str, Any]:
    return {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": dynamo.serialize({":p": contact_pk(tenant_id, contact_id), ":s": "MERGE#"}),
        "ScanIndexForward": False,
    }


def merge_log(tenant_id: str, contact_id: str, most: int) -> list[MergeEntry]:
    """The merge log under a contact, newest first, at most ``most`` entries (one query)."""
    request = _merge_log_request(tenant_id, contact_id)
    return [MergeEntry.model_validate(item) for item in dynamo.query_pages(request, most)]


def merge_log_page(
    tenant_id: str, contact_id: str, limit: int, cursor: str | None
) -> tuple[list[MergeEntry], str | None]:
    """One page of the merge log under a contact, newest first: every merge that concerns it."""
    page = dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=contact_pk(tenant_id, contact_id),
        limit=limit,
        cursor=cursor,
        sort_prefix=("sk", "MERGE#"),
        newest_first=True,
    )
    return [MergeEntry.model_validate(item) for item in page.items], page.next_cursor


def candidates_partition(tenant_id: str) -> str:
    return f"T#{tenant_id}#CANDIDATES"


def candidate_key(tenant_id: str, first: str, second: str) -> dict[str, str]:
    low, high = sorted((first, second))
    return {"pk": f"T#{tenant_id}#CAND#{low}#{high}", "sk": "CANDIDATE"}


def record_candidate(tenant_id: str, candidate: MergeCandidate) -> None:
    """Note the pair once (a pair found again keeps its first record)."""
    first, second = candidate.contact_ids
    item = {
        **candidate_key(tenant_id, first, second),
        "kind": "merge_candidate",
        "gsi1pk": candidates_partition(tenant_id),
        "gsi1sk": f"{candidate.found_at}#{candidate.candidate_id}",
        **candidate.model_dump(mode="json"),
    }
    with suppress(Conflict):
        Transaction(table()).create(item, on_fail=Conflict("already a candidate")).commit()


def forget_candidate(tx: Transaction, tenant_id: str, first: str, second: str) -> None:
    """Within a merge: the pair is no longer a candidate (nothing to delete is fine)."""
    tx.delete(candidate_key(tenant_id, first, second))


def candidates_page(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[MergeCandidate], str | None]:
    page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=candidates_partition(tenant_id),
        limit=limit,
        cursor=cursor,
        index=GSI,
        newest_first=True,
    )
    return [MergeCandidate.model_validate(item) for item in page.items], page.next_cursor


# Timeline -------------------------------------------------------------------------------------
TIMELINE_PREFIX = "TL#"


class EntryExists(AlreadyProcessed):
    """The fact is on the contact's timeline already (a redelivery, or copied there by a merge):
    for a consumer, the event was handled."""


def timeline_item(tenant_id: str, contact_id: str, entry: TimelineEntry) -> dict[str, Any]:
    return {
        "pk": contact_pk(tenant_id, contact_id),
        "sk": f"{TIMELINE_PREFIX}{entry.occurred_at}#{entry.event_id}",
        "kind": "timeline",
        **entry.model_dump(mode="json"),
    }


def add_timeline_entry(tx: Transaction, tenant_id: str, contact_id: str, entry: TimelineEntry) -> Transaction:
    """Within a transaction: the entry, once (``EntryExists`` when it is there already)."""
    return tx.create(timeline_item(tenant_id, contact_id, entry), on_fail=EntryExists(f"{entry.event_id} recorded"))


def record_fact(tenant_id: str, contact_id: str, entry: TimelineEntry, *, prepare: Prepare | None = None) -> None:
    """Write one fact on a live contact's timeline, once. The contact must still be what it was
    resolved as (no alias): a merge committed meanwhile fails the write (``ConcurrentUpdate``, so
    the caller resolves again), which is what guarantees the merge's copy sees every entry."""
    tx = Transaction(table())
    tx.check(
        {"pk": contact_pk(tenant_id, contact_id), "sk": PROFILE_SK},
        "attribute_exists(pk) AND attribute_not_exists(merged_into) AND erased = :no",
        values={":no": False},
        on_fail=ConcurrentUpdate("The contact was merged or erased meanwhile; resolve it again."),
    )
    if prepare is not None:
        prepare(tx)
    add_timeline_entry(tx, tenant_id, contact_id, entry).commit()


def timeline_page(
    tenant_id: str, contact_id: str, limit: int, cursor: str | None, types: list[str] | None = None
) -> tuple[list[TimelineEntry], str | None]:
    """One query of a contact's timeline, newest first; ``types`` filters (a filtered page may be
    short: DynamoDB applies ``limit`` before the filter)."""
    found = None
    if types:
        names = {f":t{index}": name for index, name in enumerate(types)}
        found = Filter(f"#type IN ({', '.join(names)})", {"#type": "type"}, names)
    page = dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=contact_pk(tenant_id, contact_id),
        limit=limit,
        cursor=cursor,
        sort_prefix=("sk", TIMELINE_PREFIX),
        newest_first=True,
        filter=found,
    )
    return [TimelineEntry.model_validate(item) for item in page.items], page.next_cursor


def timeline_raw_page(tenant_id: str, contact_id: str, limit: int, cursor: str | None) -> Page:
    """A page of a contact's stored timeline items as they are (for copying them), oldest first."""
    return dynamo.query_page(
        table(),
        partition_attr="pk",
        partition_value=contact_pk(tenant_id, contact_id),
        limit=limit,
        cursor=cursor,
        sort_prefix=("sk", TIMELINE_PREFIX),
    )


def copy_items(tenant_id: str, contact_id: str, items: list[dict[str, Any]]) -> None:
    """Put copies of a contact's items (timeline entries, score contributions) under another
    contact, same sort keys: putting one twice writes the same item, so a copy repeated (a
    redelivered merge) changes nothing."""
    for start in range(0, len(items), MAX_TRANSACTION_ITEMS):
        tx = Transaction(table())
        for item in items[start : start + MAX_TRANSACTION_ITEMS]:
            tx.put({**item, "pk": contact_pk(tenant_id, contact_id)})
        tx.commit()


def _copy_progress_key(tenant_id: str, alias_id: str, survivor_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#TLCOPY#{alias_id}#{survivor_id}", "sk": "COPY"}


def copy_progress(tenant_id: str, alias_id: str, survivor_id: str) -> str | None:
    """Where an unfinished copy of the alias's timeline to the survivor stopped (its cursor)."""
    item = dynamo.get_item(table(), _copy_progress_key(tenant_id, alias_id, survivor_id))
    return str(item["cursor"]) if item and item.get("cursor") else None


def save_copy_progress(tenant_id: str, alias_id: str, survivor_id: str, cursor: str | None) -> None:
    item = {
        **_copy_progress_key(tenant_id, alias_id, survivor_id),
        "kind": "timeline_copy",
        "cursor": cursor or "",
        TTL_ATTRIBUTE: int(time.time()) + COPY_PROGRESS_SECONDS,
    }
    Transaction(table()).put(item).commit()


def _order_key(tenant_id: str, partner: str, order_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#ORDER#{partner}#{order_id}", "sk": "ORDER"}


def remember_buyer(tenant_id: str, partner: str, order_id: str, contact_id: str) -> None:
    """The order's buyer, for its refunds (a repeat writes the same)."""
    item = {**_order_key(tenant_id, partner, order_id), "kind": "order", "contact_id": contact_id}
    Transaction(table()).put(item).commit()


def buyer_of(tenant_id: str, partner: str, order_id: str) -> str | None:
    item = dynamo.get_item(table(), _order_key(tenant_id, partner, order_id))
    return str(item["contact_id"]) if item else None


class LoginRepeated(Conflict):
    """The same login request again (its WeChat code seen moments ago): no new fact."""


def claim_login(tx: Transaction, tenant_id: str, attempt: str, now: float, window_seconds: int) -> Transaction:
    """Within a transaction: a login attempt (a hash of its code) is new, or was seen more than
    ``window_seconds`` ago (then it is a new login with a reused code: only the local fake reuses them)."""
    item = {
        "pk": f"T#{tenant_id}#LOGIN#{attempt}",
        "sk": "LOGIN",
        "kind": "login_attempt",
        "claimed_until": int(now) + window_seconds,
        TTL_ATTRIBUTE: int(time.time()) + window_seconds,
    }
    return tx.put(
        item,
        condition="attribute_not_exists(pk) OR claimed_until < :now",
        values={":now": int(now)},
        on_fail=LoginRepeated("login request repeated"),
    )
