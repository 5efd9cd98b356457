"""Outreach's copy of the contact facts, kept from the other services' events (``logic/facts.py``).

One item per contact, so that a broadcast reads a page of 100 contacts with one BatchGetItem.
Every write is conditional on what makes it newer (a profile version, a time, a ledger entry, a
WeCom relationship generation) or on the item's ``revision`` as read, so duplicates and late events
change nothing and a read-decide-write never overwrites a concurrent writer.

Partitions (pk / sk):
- T#{t}#FACTS#{contact} / FACTS      ContactFacts' fields, and: ``F#{corp}#{staff}`` → a WeCom
  friendship (while it lasts), ``G#{corp}#{staff}`` → the latest generation of that relationship
  seen, by an add or a removal (a removal's tombstone), ``lifecycle_changed_at``,
  ``points_entry`` (the ledger entry the balance is from), ``revision`` (+1 at every write);
  an active contact with a birthday is in gsi1: T#{t}#BDAY#{MM-DD} / {contact}
- T#{t}#EXT#{corp}#{ext} / EXT       → ``contact_id``, the contact a WeCom customer is; ``R#{staff}``
  → the generation of a removal seen before any add of the customer told which contact it is (a
  tombstone; such an item expires after TOMBSTONE_SECONDS unless an add claims it)
- T#{t}#SEG#{segment} / C#{contact}  ``member``, ``changed_at``; while a member, gsi1
  T#{t}#SEGIN#{segment} / {contact}
- T#{t}#SEG#{segment} / COUNT        ``members``: the segment's member count, changed in the
  transaction of each membership that flips
- T#{t}#STAFF / S#{staff}            ``name``, ``status``, ``corp_id``, ``changed_at`` (WeComStaffChanged)
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from services.outreach.dal.table import table
from services.outreach.models import ContactFacts, Friendship
from shared import dynamo
from shared.dynamo import Prepare, Transaction, batch_get, query_page
from shared.errors import ConcurrentUpdate, DomainError
from shared.manifest import TTL_ATTRIBUTE

FACTS_SK = "FACTS"
FRIEND = "F#"
GENERATION = "G#"
REMOVED = "R#"
TOMBSTONE_SECONDS = 30 * 24 * 3600  # a removal's add comes within minutes, or never
SEGMENT_INDEX = "gsi1"
BIRTHDAY_INDEX = "gsi1"
COUNT_SK = "COUNT"
PROFILE_FIELDS = (
    "status",
    "merged_into",
    "name",
    "birthday",
    "consent",
    "tags",
    "owners",
    "openids",
    "external_userids",
)


class NotNewer(DomainError):
    """The stored fact is as new as the event's, or newer: the event changes nothing."""


class MovedMeanwhile(ConcurrentUpdate):
    """What the change was decided from is no longer what is stored: read again and decide again."""


def _facts_key(tenant_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#FACTS#{contact_id}", "sk": FACTS_SK}


def friendship_key(corp_id: str, staff_id: str) -> str:
    return f"{corp_id}#{staff_id}"


@dataclass(frozen=True)
class StoredFacts:
    """A contact's facts as stored, with what a decision about them needs."""

    facts: ContactFacts
    revision: int = 0  # 0: no item yet
    generations: dict[str, int] = field(default_factory=dict)  # friendship key → latest generation seen


def _facts_of(item: Mapping[str, Any]) -> ContactFacts:
    friends = [Friendship.model_validate(value) for name, value in item.items() if name.startswith(FRIEND)]
    return ContactFacts.model_validate(
        {**item, "friends": sorted(friends, key=lambda friend: (friend.added_at, friend.corp_id, friend.staff_id))}
    )


def read(tenant_id: str, contact_id: str) -> StoredFacts:
    item = dynamo.get_item(table(), _facts_key(tenant_id, contact_id))
    if item is None:
        return StoredFacts(ContactFacts(tenant_id=tenant_id, contact_id=contact_id))
    generations = {
        name.removeprefix(GENERATION): int(value) for name, value in item.items() if name.startswith(GENERATION)
    }
    return StoredFacts(_facts_of(item), int(item.get("revision", 0)), generations)


def get(tenant_id: str, contact_id: str) -> ContactFacts | None:
    """The contact's facts, or None when no event about it has come yet."""
    item = dynamo.get_item(table(), _facts_key(tenant_id, contact_id), consistent=False)
    return _facts_of(item) if item else None


def get_many(tenant_id: str, contact_ids: list[str]) -> dict[str, ContactFacts]:
    """Facts by contact id, 100 contacts a request; contacts outreach knows nothing of are absent."""
    keys = [_facts_key(tenant_id, contact_id) for contact_id in dict.fromkeys(contact_ids)]
    found = (_facts_of(item) for item in batch_get(table(), keys, consistent=False))
    return {facts.contact_id: facts for facts in found}


# Writing one contact's facts ----------------------------------------------------------------------
class _Update:
    """One UpdateItem of a contact's facts: its SET, REMOVE and conditions, named safely (``name``
    and ``status`` are reserved words, friendship attributes hold ``#``)."""

    def __init__(self, tenant_id: str, contact_id: str) -> None:
        self.key = _facts_key(tenant_id, contact_id)
        self.names: dict[str, str] = {"#rev": "revision"}
        self.values: dict[str, Any] = {":one": 1}
        self.sets: list[str] = []
        self.removes: list[str] = []
        self.conditions: list[str] = []
        self.set(kind="facts", tenant_id=tenant_id, contact_id=contact_id)

    def name(self, attribute: str) -> str:
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def set(self, **fields: Any) -> _Update:
        for attribute, value in fields.items():
            self.assign(attribute, value)
        return self

    def assign(self, attribute: str, value: Any) -> _Update:
        if value is None:
            self.removes.append(self.name(attribute))
        else:
            self.sets.append(f"{self.name(attribute)} = {self.value(value)}")
        return self

    def remove(self, attribute: str) -> _Update:
        self.removes.append(self.name(attribute))
        return self

    def when(self, condition: str) -> _Update:
        """A condition, written with this update's placeholders (``name``, ``value``)."""
        self.conditions.append(condition)
        return self

    def newer(self, attribute: str, value: Any, *, or_equal: bool = False) -> _Update:
        """Only when the stored ``attribute`` is absent or below ``value``."""
        operator = "<=" if or_equal else "<"
        attr, val = self.name(attribute), self.value(value)
        return self.when(f"(attribute_not_exists({attr}) OR {attr} {operator} {val})")

    def at_revision(self, revision: int) -> _Update:
        if revision:
            return self.when(f"#rev = {self.value(revision)}")
        return self.when("attribute_not_exists(pk)")

    def add_to(self, tx: Transaction, on_fail: DomainError) -> Transaction:
        expression = "SET " + ", ".join(self.sets) + " ADD #rev :one"
        if self.removes:
            expression += " REMOVE " + ", ".join(self.removes)
        return tx.update(
            self.key,
            expression,
            condition=" AND ".join(self.conditions) or None,
            names=self.names,
            values=self.values,
            on_fail=on_fail,
        )


def _commit(update: _Update, prepares: Iterable[Prepare], on_fail: DomainError, *more: Prepare) -> None:
    """The caller's items first (the event's marker: a duplicate is told as such before anything
    else), then the update and any further items."""
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    update.add_to(tx, on_fail)
    for prepare in more:
        prepare(tx)
    tx.commit()


def commit(*prepares: Prepare) -> None:
    """Items built elsewhere (a marker, a customer's mapping), written together."""
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    tx.commit()


def _applied(update: _Update, prepares: Iterable[Prepare]) -> bool:
    """Commit an update whose only condition is being newer: False when it is not."""
    try:
        _commit(update, prepares, NotNewer("not newer"))
    except NotNewer:
        return False
    return True


def save_profile(tenant_id: str, contact_id: str, fields: dict[str, Any], version: int, *prepares: Prepare) -> bool:
    """An active contact's profile snapshot, written when ``version`` is newer than the stored one
    (False: it is not). Friendships, lifecycle and points are left as they are."""
    update = _Update(tenant_id, contact_id).set(
        version=version, **fields, **_birthday_index(tenant_id, contact_id, fields)
    )
    return _applied(update.newer("version", version), prepares)


def _birthday_index(tenant_id: str, contact_id: str, fields: Mapping[str, Any]) -> dict[str, str | None]:
    """The facts' place in the birthday index (none without a birthday: the index is sparse)."""
    birthday = fields.get("birthday")
    if not birthday:
        return {"gsi1pk": None, "gsi1sk": None}
    return {"gsi1pk": _birthday_partition(tenant_id, str(birthday)[5:10]), "gsi1sk": contact_id}


def _birthday_partition(tenant_id: str, month_day: str) -> str:
    return f"T#{tenant_id}#BDAY#{month_day}"


def birthdays(tenant_id: str, month_days: Iterable[str]) -> Iterator[str]:
    """The active contacts whose birthday falls on each ``MM-DD`` given (from the birthday index)."""
    for month_day in dict.fromkeys(month_days):
        request = {
            "TableName": table(),
            "IndexName": BIRTHDAY_INDEX,
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": dynamo.serialize({":p": _birthday_partition(tenant_id, month_day)}),
            "ProjectionExpression": "contact_id",
        }
        for item in dynamo.query_pages(request):
            yield str(item["contact_id"])


def clear_profile(
    tenant_id: str, contact_id: str, fields: dict[str, Any], version: int, read_as: StoredFacts, *prepares: Prepare
) -> None:
    """A merged or erased contact's snapshot (nothing personal in ``fields``), with the friendships
    of the facts as read removed; on the condition that neither the version nor anything else
    moved since the read (``MovedMeanwhile``)."""
    update = _Update(tenant_id, contact_id).set(version=version, **fields, gsi1pk=None, gsi1sk=None)
    for friend in read_as.facts.friends:
        update.remove(FRIEND + friendship_key(friend.corp_id, friend.staff_id))
    update.at_revision(read_as.revision)
    _commit(update, prepares, MovedMeanwhile("the facts moved"))


def add_friend(tenant_id: str, contact_id: str, friend: Friendship, *prepares: Prepare) -> None:
    """The friendship, on the condition that its generation is newer than any seen for the pair
    and the contact is not merged away or erased (else ``MovedMeanwhile``: read and decide again)."""
    key = friendship_key(friend.corp_id, friend.staff_id)
    update = _Update(tenant_id, contact_id)
    update.set(**{FRIEND + key: friend.model_dump(mode="json"), GENERATION + key: friend.generation})
    update.newer(GENERATION + key, friend.generation)
    status = update.name("status")
    update.when(f"(attribute_not_exists({status}) OR {status} = {update.value('active')})")
    _commit(update, prepares, MovedMeanwhile("the friendship or the contact moved"))


def remove_friend(
    tenant_id: str, contact_id: str, corp_id: str, staff_id: str, generation: int, *prepares: Prepare
) -> None:
    """The friendship ends if ``generation`` is at least the latest seen for the pair; the
    generation stays as a tombstone, so that a late add of that generation or an older one is not
    applied. On the condition that the contact is not merged away (``MovedMeanwhile``)."""
    key = friendship_key(corp_id, staff_id)
    update = _Update(tenant_id, contact_id).set(**{GENERATION + key: generation}).remove(FRIEND + key)
    update.newer(GENERATION + key, generation, or_equal=True)
    status = update.name("status")
    update.when(f"(attribute_not_exists({status}) OR {status} <> {update.value('merged')})")
    _commit(update, prepares, MovedMeanwhile("the friendship or the contact moved"))


def save_lifecycle(tenant_id: str, contact_id: str, stage: str, changed_at: str, *prepares: Prepare) -> bool:
    update = _Update(tenant_id, contact_id).set(lifecycle_stage=stage, lifecycle_changed_at=changed_at)
    return _applied(update.newer("lifecycle_changed_at", changed_at), prepares)


def save_points_balance(tenant_id: str, contact_id: str, balance: int, entry_id: str, *prepares: Prepare) -> bool:
    update = _Update(tenant_id, contact_id).set(points_balance=balance, points_entry=entry_id)
    return _applied(update.newer("points_entry", entry_id), prepares)


def save_points_expiring(tenant_id: str, contact_id: str, points: int, expires_at: str, *prepares: Prepare) -> bool:
    update = _Update(tenant_id, contact_id).set(points_expiring=points, points_expiring_at=expires_at)
    return _applied(update.newer("points_expiring_at", expires_at, or_equal=True), prepares)


# WeCom customers → contacts -------------------------------------------------------------------------
def _ext_key(tenant_id: str, corp_id: str, external_userid: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#EXT#{corp_id}#{external_userid}", "sk": "EXT"}


@dataclass(frozen=True)
class ExternalUser:
    contact_id: str | None  # None: only removals were seen
    removed: dict[str, int]  # staff id → generation of a removal seen before the contact was known


def read_external_user(tenant_id: str, corp_id: str, external_userid: str) -> ExternalUser:
    item = dynamo.get_item(table(), _ext_key(tenant_id, corp_id, external_userid)) or {}
    removed = {name.removeprefix(REMOVED): int(value) for name, value in item.items() if name.startswith(REMOVED)}
    contact_id = item.get("contact_id")
    return ExternalUser(str(contact_id) if contact_id else None, removed)


def contact_of_external_userid(tenant_id: str, corp_id: str, external_userid: str) -> str | None:
    return read_external_user(tenant_id, corp_id, external_userid).contact_id


def point_external_user(
    tenant_id: str,
    corp_id: str,
    external_userid: str,
    contact_id: str,
    *,
    unless_removed: tuple[str, int] | None = None,
) -> Prepare:
    """The customer is this contact (its tombstones stay, and it no longer expires); with
    ``unless_removed`` = (staff, generation), only while no removal of that generation or a newer
    one is remembered for the staff member (else ``MovedMeanwhile``)."""

    def point(tx: Transaction) -> None:
        names = {"#ttl": TTL_ATTRIBUTE, "#kind": "kind"}
        values: dict[str, Any] = {":c": contact_id, ":kind": "external_user"}
        condition = None
        if unless_removed is not None:
            names["#r"] = REMOVED + unless_removed[0]
            values[":g"] = unless_removed[1]
            condition = "attribute_not_exists(#r) OR #r < :g"
        tx.update(
            _ext_key(tenant_id, corp_id, external_userid),
            "SET contact_id = :c, #kind = :kind REMOVE #ttl",
            condition=condition,
            names=names,
            values=values,
            on_fail=MovedMeanwhile("a removal came meanwhile"),
        )

    return point


def remember_removal(
    tenant_id: str, corp_id: str, external_userid: str, staff_id: str, generation: int, *prepares: Prepare
) -> None:
    """A removal of a customer no contact is known for yet: its tombstone, kept until an add says
    which contact it is; ``MovedMeanwhile`` when the contact became known or an as new tombstone
    came meanwhile."""
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    key = _ext_key(tenant_id, corp_id, external_userid)
    names = {"#r": REMOVED + staff_id, "#ttl": TTL_ATTRIBUTE, "#kind": "kind"}
    tx.update(
        key,
        "SET #r = :g, #ttl = if_not_exists(#ttl, :ttl), #kind = :kind",
        condition="attribute_not_exists(contact_id) AND (attribute_not_exists(#r) OR #r < :g)",
        names=names,
        values={":g": generation, ":ttl": int(time.time()) + TOMBSTONE_SECONDS, ":kind": "external_user"},
        on_fail=MovedMeanwhile("the customer's contact became known, or a newer removal is there"),
    )
    tx.commit()


def forget_external_user(tenant_id: str, corp_id: str, external_userid: str, contact_id: str) -> None:
    """An erased contact's customer mapping goes (unless it names another contact by now)."""
    with suppress(ConcurrentUpdate):
        Transaction(table()).delete(
            _ext_key(tenant_id, corp_id, external_userid), condition="contact_id = :c", values={":c": contact_id}
        ).commit()


# Segment membership ---------------------------------------------------------------------------------
def _segment_pk(tenant_id: str, segment_id: str) -> str:
    return f"T#{tenant_id}#SEG#{segment_id}"


def _members_partition(tenant_id: str, segment_id: str) -> str:
    return f"T#{tenant_id}#SEGIN#{segment_id}"


@dataclass(frozen=True)
class Membership:
    member: bool = False
    changed_at: str | None = None  # None: outreach never heard of the contact in that segment


def memberships(tenant_id: str, contact_id: str, segment_ids: Iterable[str]) -> dict[str, Membership]:
    """The contact's membership of each segment as stored (strongly consistent)."""
    wanted = list(dict.fromkeys(segment_ids))
    keys = [{"pk": _segment_pk(tenant_id, segment_id), "sk": f"C#{contact_id}"} for segment_id in wanted]
    found = {
        str(item["segment_id"]): Membership(bool(item.get("member")), str(item["changed_at"]))
        for item in batch_get(table(), keys)
    }
    return {segment_id: found.get(segment_id, Membership()) for segment_id in wanted}


@dataclass(frozen=True)
class MembershipChange:
    segment_id: str
    member: bool
    changed_at: str
    read_as: Membership  # what it was decided from: the write is conditional on it


MEMBERSHIP_WRITES = 2  # the membership and its segment's count


def save_memberships(tenant_id: str, contact_id: str, changes: list[MembershipChange], *prepares: Prepare) -> None:
    """Memberships, each on the condition that it is still as read (else ``MovedMeanwhile``), and
    each segment's count moved by the flips, in one transaction (at most 49 changes)."""
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    for change in changes:
        pk = _segment_pk(tenant_id, change.segment_id)
        item: dict[str, Any] = {
            "pk": pk,
            "sk": f"C#{contact_id}",
            "kind": "segment_member",
            "segment_id": change.segment_id,
            "contact_id": contact_id,
            "member": change.member,
            "changed_at": change.changed_at,
        }
        if change.member:
            item |= {"gsi1pk": _members_partition(tenant_id, change.segment_id), "gsi1sk": contact_id}
        moved = MovedMeanwhile("the membership moved")
        if change.read_as.changed_at is None:
            tx.put(item, condition="attribute_not_exists(pk)", on_fail=moved)
        else:
            tx.put(item, condition="changed_at = :t", values={":t": change.read_as.changed_at}, on_fail=moved)
        delta = int(change.member) - int(change.read_as.member)
        tx.update(
            {"pk": pk, "sk": COUNT_SK},
            "ADD members :d SET #kind = :kind, segment_id = :s",
            names={"#kind": "kind"},
            values={":d": delta, ":kind": "segment_count", ":s": change.segment_id},
        )
    tx.commit()


def segment_members_page(
    tenant_id: str, segment_id: str, limit: int, cursor: str | None
) -> tuple[list[str], str | None]:
    """A page of the segment's current members (contact ids, in id order) and the next cursor."""
    page = query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=_members_partition(tenant_id, segment_id),
        limit=limit,
        cursor=cursor,
        index=SEGMENT_INDEX,
        attributes=("contact_id",),
    )
    return [str(item["contact_id"]) for item in page.items], page.next_cursor


def segment_size(tenant_id: str, segment_id: str) -> int | None:
    """The segment's member count now; None when outreach never heard of the segment."""
    item = dynamo.get_item(table(), {"pk": _segment_pk(tenant_id, segment_id), "sk": COUNT_SK})
    return int(item["members"]) if item else None


# Staff ------------------------------------------------------------------------------------------------
def _staff_key(tenant_id: str, staff_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#STAFF", "sk": f"S#{staff_id}"}


def save_staff(
    tenant_id: str, staff_id: str, corp_id: str, name: str, status: str, changed_at: str, *prepares: Prepare
) -> bool:
    """A staff member's name and status, when ``changed_at`` is not older than the stored one."""
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    tx.put(
        {
            **_staff_key(tenant_id, staff_id),
            "kind": "staff",
            "staff_id": staff_id,
            "corp_id": corp_id,
            "name": name,
            "status": status,
            "changed_at": changed_at,
        },
        condition="attribute_not_exists(changed_at) OR changed_at <= :t",
        values={":t": changed_at},
        on_fail=NotNewer("not newer"),
    )
    try:
        tx.commit()
    except NotNewer:
        return False
    return True


def staff_names(tenant_id: str, staff_ids: Iterable[str]) -> dict[str, str]:
    """Names of the staff members outreach knows of among ``staff_ids`` (one batch read; none for
    no ids)."""
    keys = [_staff_key(tenant_id, staff_id) for staff_id in dict.fromkeys(staff_ids)]
    return {str(item["staff_id"]): str(item["name"]) for item in batch_get(table(), keys, consistent=False)}


def staff_corps(tenant_id: str, staff_ids: Iterable[str]) -> dict[str, str]:
    """The corp of each staff member outreach knows of among ``staff_ids`` who has not left (a
    departed member can send nothing)."""
    keys = [_staff_key(tenant_id, staff_id) for staff_id in dict.fromkeys(staff_ids)]
    return {
        str(item["staff_id"]): str(item["corp_id"])
        for item in batch_get(table(), keys, consistent=False)
        if item.get("status") != "departed"
    }
