"""Merging: two contacts that turn out to be one person become one.

The older contact (``created_at``, then ``contact_id``) survives; the other becomes an alias that
resolves to it. Because the survivor is chosen by a total order, an alias always points to an
older contact: opposite merges (A into B while B into A) agree on the survivor, and no chain of
aliases can loop. An alias's own aliases are re-pointed in the same transaction, so nothing ever
points to an alias at rest (``resolve`` still follows a few hops, for readers mid-race).

Field rules (``combine``): identities move to the survivor (where both hold a value of the same
kind, the survivor's stays and the alias's is released); tags are united, the survivor's first,
then the alias's in order, up to ``MAX_TAGS`` (the rest are dropped and logged); profile fields and
attributes keep the survivor's value where set and take the alias's otherwise; consent keeps the
most restrictive answer (a ``false`` anywhere wins); source keeps the earliest first touch;
owners keep the survivor's per brand where set; the survivor lists the alias (and the alias's own
aliases) in ``merged_from``, which is what a timeline read follows.

One transaction writes a merge (``_commit``): both profiles (each on its version, so neither can
have become an alias or changed meanwhile), the alias's earlier aliases (k), the alias's identity
items re-pointed or released (at most 4 + one openid per app), the survivor's new tag, owner and
source items (at most 50 tags, b brands, 1), the merge log (its entry and a copy of the k entries
logged under the alias, so the survivor's partition alone answers ``merges``), the pair's
candidate, ContactsMerged and one ContactOwnerChanged per brand the survivor gains: at most
70 + 2k + 2b of DynamoDB's 100. The alias's own tag, owner and source items are deleted in it too
when they fit; otherwise just after the commit (listings skip aliases meanwhile). Past the limit
the merge is refused (``MergeTooLarge``, 409); an automatic one records a candidate instead. A
survivor stands for at most ``MAX_MERGED_FROM`` other contacts (which bounds ``merged_from``, k
and the log): a merge past it is refused the same way.

A merge is automatic only when safe: the two contacts hold no different values of one identity
kind (two unionids, two phones…). Otherwise the pair is recorded as a merge candidate for staff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from services.contacts.dal import contacts as dal
from services.contacts.logic import tag_groups
from services.contacts.logic.tag_groups import Exclusive
from services.contacts.models import (
    MAX_TAGS,
    Contact,
    Identities,
    MergeActor,
    MergeCandidate,
    MergeEntry,
)
from shared import ids
from shared.clock import now_rfc3339
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate, Conflict, NotFound
from shared.events import contacts as events
from shared.retry import retry_on_race

SINGLE_KINDS = ("phone", "email", "unionid", "external_userid")
PROFILE_FIELDS = ("name", "gender", "city", "birthday")
MERGE_ATTEMPTS = 8  # opposite merges of one pair settle on the first retry; chains may take a few
MOST_HOPS = 4  # at rest an alias points to a survivor (one hop); more only while a merge commits
MAX_MERGED_FROM = 50  # contacts one survivor stands for; a merge past it is refused (a candidate)
CANDIDATE_READS = 4  # queries one page of merge candidates may take to fill past stale pairs
MANUAL = "manual"

# A change a caller wants on the survivor, once merged (a patch naming the other's identity).
Adjust = Callable[[Contact], Contact]


class UnsafeMerge(Conflict):
    """The two contacts hold different values of one identity kind: staff must decide."""


class ContactErasedError(Conflict):
    """An erased contact cannot be merged."""


@dataclass(frozen=True)
class Actor:
    kind: str  # staff, member, system
    id: str | None = None

    def entry(self) -> MergeActor:
        return MergeActor.model_validate({"kind": self.kind, "id": self.id})


SYSTEM = Actor("system")


# Pure rules ------------------------------------------------------------------------------------
def older_first(first: Contact, second: Contact) -> tuple[Contact, Contact]:
    """(survivor, alias): the older contact survives; equal times fall to the smaller id."""
    if (first.created_at, first.contact_id) <= (second.created_at, second.contact_id):
        return first, second
    return second, first


def conflicting_kinds(first: Identities, second: Identities) -> list[str]:
    """Identity kinds both hold with different values: what makes a merge unsafe."""
    mine, theirs = first.by_kind(), second.by_kind()
    return sorted(kind for kind in mine.keys() & theirs.keys() if mine[kind] != theirs[kind])


def _consent(survivor: dict[str, dict[str, bool]], alias: dict[str, dict[str, bool]]) -> dict[str, dict[str, bool]]:
    """Per channel and purpose, the most restrictive answer: a refusal anywhere stands."""
    joined: dict[str, dict[str, bool]] = {}
    for channel in survivor.keys() | alias.keys():
        mine, theirs = survivor.get(channel, {}), alias.get(channel, {})
        joined[channel] = {
            purpose: mine.get(purpose, True) and theirs.get(purpose, True) for purpose in mine.keys() | theirs.keys()
        }
    return joined


def _first_touch(survivor: Contact, alias: Contact) -> dict[str, str] | None:
    """The earlier acquisition source (a source without a time counts from its contact's creation)."""
    sources = [
        (source.get("acquired_at", contact.created_at), index, source)
        for index, (contact, source) in enumerate(((survivor, survivor.source), (alias, alias.source)))
        if source
    ]
    return min(sources, key=lambda found: (found[0], found[1]))[2] if sources else None


def combine(survivor: Contact, alias: Contact, exclusive: Exclusive | None = None) -> tuple[Contact, list[str]]:
    """The survivor's fields after absorbing the alias (not yet versioned), and the tags dropped
    beyond the cap. Used by merges and by upserts (an incoming contact not yet saved).
    ``exclusive`` (``tag_groups.exclusive_tags``): an alias's tag whose single-choice sibling the
    survivor holds is left out, as the survivor's choice stands."""
    mine, theirs = survivor.identities, alias.identities
    identities = Identities(
        **{kind: getattr(mine, kind) or getattr(theirs, kind) for kind in SINGLE_KINDS},
        openids={**theirs.openids, **mine.openids},
        external_userids={**theirs.external_userids, **mine.external_userids},
    )
    held = set(survivor.tags)
    siblings = exclusive or {}
    extra = [tag for tag in sorted(alias.tags) if tag not in held and not siblings.get(tag, frozenset()) & held]
    room = max(MAX_TAGS - len(survivor.tags), 0)
    tags = sorted([*survivor.tags, *extra[:room]])
    update: dict[str, Any] = {
        field: getattr(survivor, field) if getattr(survivor, field) is not None else getattr(alias, field)
        for field in PROFILE_FIELDS
    }
    update.update(
        identities=identities,
        tags=tags,
        attributes={**alias.attributes, **survivor.attributes},
        consent=_consent(survivor.consent, alias.consent),
        owners={**alias.owners, **survivor.owners},
        source=_first_touch(survivor, alias),
    )
    return survivor.model_copy(update=update), extra[room:]


def released_kinds(alias: Identities, survivor: Identities) -> list[str]:
    """The alias's identity kinds whose value the survivor does not end up holding."""
    kept = survivor.by_kind()
    return sorted(kind for kind, value in alias.by_kind().items() if kept.get(kind) != value)


def created_event(contact: Contact) -> events.ContactCreated:
    return events.ContactCreated(
        contact_id=contact.contact_id,
        version=contact.version,
        identity_kinds=list(contact.identities.by_kind()),
        tags=contact.tags,
        owners=contact.owners,
    )


# Resolution ------------------------------------------------------------------------------------
def resolve(tenant_id: str, contact_id: str) -> Contact | None:
    """The contact an id stands for: itself, or the survivor it was merged into."""
    contact = dal.get(tenant_id, contact_id)
    for _ in range(MOST_HOPS):
        if contact is None or contact.merged_into is None:
            return contact
        contact = dal.get(tenant_id, contact.merged_into)
    raise ConcurrentUpdate("The contact is being merged; try again.")


def resolve_many(tenant_id: str, contact_ids: list[str]) -> dict[str, Contact]:
    """Each id → the live contact it stands for (ids of missing or erased contacts are left out):
    two batch reads at most, as aliases point straight to survivors."""
    found = dal.profiles(tenant_id, contact_ids)
    targets = dal.profiles(tenant_id, [c.merged_into for c in found.values() if c.merged_into])
    resolved: dict[str, Contact] = {}
    for contact_id in contact_ids:
        contact = found.get(contact_id)
        if contact is not None and contact.merged_into is not None:
            contact = targets.get(contact.merged_into)
        if contact is not None and not contact.erased and not contact.is_alias:
            resolved[contact_id] = contact
    return resolved


def _live(tenant_id: str, contact_id: str) -> Contact:
    contact = resolve(tenant_id, contact_id)
    if contact is None:
        raise NotFound("No such contact.")
    if contact.erased:
        raise ContactErasedError("An erased contact cannot be merged.", contact_id=contact_id)
    return contact


# Merging ---------------------------------------------------------------------------------------
def merge(
    tenant_id: str,
    first_id: str,
    second_id: str,
    *,
    evidence: str,
    actor: Actor,
    reason: str | None = None,
    safe_only: bool = False,
    adjust_first: Adjust | None = None,
) -> Contact:
    """Merge the contacts the two ids stand for; answer the survivor (also when they were one
    already). ``safe_only``: refuse (``UnsafeMerge``) when they hold different values of one
    identity kind. ``adjust_first``: a change to the first contact (a patch), judged for safety
    on the first contact and applied to the survivor once merged, in the same transaction."""

    def attempt(_: int) -> Contact:
        first, second = _live(tenant_id, first_id), _live(tenant_id, second_id)
        if first.contact_id == second.contact_id:
            return first
        judged = adjust_first(first) if adjust_first else first
        conflicts = conflicting_kinds(judged.identities, second.identities)
        if safe_only and conflicts:
            raise UnsafeMerge(
                "The two contacts hold different identities of one kind; a manager can merge them.",
                conflicts=conflicts,
            )
        survivor, alias = older_first(first, second)
        return _commit(tenant_id, survivor, alias, evidence, actor, reason, adjust_first)

    return retry_on_race(
        attempt,
        races=ConcurrentUpdate,
        attempts=MERGE_ATTEMPTS,
        exhausted=lambda: ConcurrentUpdate("The contacts are too busy to merge now; try again."),
    )


def _commit(
    tenant_id: str,
    survivor: Contact,
    alias: Contact,
    evidence: str,
    actor: Actor,
    reason: str | None,
    adjust: Adjust | None,
) -> Contact:
    now = now_rfc3339()
    exclusive = tag_groups.exclusive_tags(tenant_id) if alias.tags and survivor.tags else {}
    joined, dropped = combine(survivor, alias, exclusive)
    if adjust is not None:
        joined = adjust(joined)
    earlier = [cid for cid in alias.merged_from if cid not in survivor.merged_from]
    merged_from = [*survivor.merged_from, alias.contact_id, *earlier]
    if len(merged_from) > MAX_MERGED_FROM:
        raise dal.MergeTooLarge(
            f"A contact can stand for at most {MAX_MERGED_FROM} merged contacts; this merge would make "
            f"{len(merged_from)}."
        )
    # The alias's log (its merges, and those it had copied from its own aliases): one per earlier
    # alias, so bounded like them. Its profile's version guards against a merge into it meanwhile.
    history = dal.merge_log(tenant_id, alias.contact_id, MAX_MERGED_FROM)
    after = joined.model_copy(update={"merged_from": merged_from, "version": survivor.version + 1, "updated_at": now})
    tombstone = Contact(
        tenant_id=tenant_id,
        contact_id=alias.contact_id,
        merged_into=survivor.contact_id,
        created_at=alias.created_at,
        updated_at=now,
        version=alias.version + 1,
    )
    # The alias's own aliases now point straight at the survivor (nothing points to an alias).
    repointed: list[dal.Change] = []
    for contact_id, contact in dal.profiles(tenant_id, earlier).items():
        if contact.merged_into == alias.contact_id:
            moved = contact.model_copy(
                update={"merged_into": survivor.contact_id, "version": contact.version + 1, "updated_at": now}
            )
            repointed.append((contact, moved))
        elif contact.merged_into != survivor.contact_id:
            raise ConcurrentUpdate(f"{contact_id} moved while merging")
    entry = MergeEntry(
        merge_id=ids.new_id("mg_"),
        survivor_id=survivor.contact_id,
        alias_id=alias.contact_id,
        evidence=evidence,
        actor=actor.entry(),
        reason=reason,
        merged_at=now,
        tags_dropped=dropped,
        identities_released=released_kinds(alias.identities, after.identities),
    )
    published: list[BaseModel] = [
        events.ContactsMerged(
            contact_id=survivor.contact_id,
            version=after.version,
            merged_contact_id=alias.contact_id,
            evidence=evidence,
            also_merged=earlier,
        )
    ]
    published += [
        events.ContactOwnerChanged(
            contact_id=survivor.contact_id,
            version=after.version,
            brand=brand,
            previous_owner=survivor.owners.get(brand),
            owner=staff_id,
        )
        for brand, staff_id in sorted(after.owners.items())
        if survivor.owners.get(brand) != staff_id
    ]

    def logged(tx: Transaction) -> None:
        tx.put(dal.merge_entry_item(tenant_id, entry))
        for earlier_entry in history:
            tx.put(dal.merge_entry_item(tenant_id, earlier_entry, under=survivor.contact_id))
        dal.forget_candidate(tx, tenant_id, survivor.contact_id, alias.contact_id)

    dal.save_all(
        [(survivor, after), (alias, tombstone), *repointed],
        published,
        prepare=logged,
        defer_index_cleanup=True,
    )
    return after


def merge_if_safe(tenant_id: str, first_id: str, second_id: str, *, evidence: str, actor: Actor) -> Contact | None:
    """An automatic merge: the survivor, or None when it was unsafe (the pair is then a candidate)."""
    try:
        return merge(tenant_id, first_id, second_id, evidence=evidence, actor=actor, safe_only=True)
    except UnsafeMerge as refused:
        note_candidate(tenant_id, first_id, second_id, evidence, refused.extra.get("conflicts", []))
    except dal.MergeTooLarge:
        note_candidate(tenant_id, first_id, second_id, evidence, [])
    return None


def note_candidate(tenant_id: str, first_id: str, second_id: str, evidence: str, conflicts: list[str]) -> None:
    low, high = sorted((first_id, second_id))
    dal.record_candidate(
        tenant_id,
        MergeCandidate(
            candidate_id=f"{low}+{high}",
            contact_ids=[low, high],
            evidence=evidence,
            conflicts=conflicts,
            found_at=now_rfc3339(),
        ),
    )


# Upsert by identity ----------------------------------------------------------------------------
class IdentityConflict(Conflict):
    """The identities given belong to a contact holding other values of the same kinds."""


UPSERT_RACES = (dal.IdentityTaken, dal.ContactExists, ConcurrentUpdate)


def upsert(
    tenant_id: str,
    incoming: Contact,
    *,
    actor: Actor,
    announce: Callable[[Contact], list[BaseModel]] = lambda contact: [],
    prepare: Callable[[Contact], Prepare | None] = lambda contact: None,
) -> tuple[Contact, bool]:
    """Save ``incoming`` (a contact not yet saved) unless its identities belong to contacts of
    the tenant: then it is absorbed into their survivor by the merge rules (the existing contact
    is older), after merging those contacts together if they are several and it is safe.

    Answers the contact written and whether it is new. ``announce`` gives events to publish with
    it and ``prepare`` additions to its transaction (an idempotency record, a processed marker).
    An owner the existing contact gains (a brand it had none for) is announced by
    ``ContactOwnerChanged``; one it had is kept. Used by staff creation, order identification, the
    import job, channel senders and WeCom adds and removals (``logic/wecom.py``)."""
    kinds = incoming.identities.by_kind()

    def attempt(_: int) -> tuple[Contact, bool]:
        holders: dict[str, str] = {}  # contact id → the first kind that named it
        for kind, value in kinds.items():
            found = dal.find_by_identity(tenant_id, kind, value)
            if found is not None:
                holders.setdefault(found, kind)
        if not holders:
            dal.save(None, incoming, [created_event(incoming), *announce(incoming)], prepare=prepare(incoming))
            return incoming, True
        (target_id, evidence), *others = holders.items()
        for other_id, kind in others:
            merged = merge_if_safe(tenant_id, target_id, other_id, evidence=kind, actor=actor)
            if merged is None:
                raise IdentityConflict(
                    "The identities given belong to different contacts that cannot be merged safely.",
                    identity=kind,
                )
            target_id = merged.contact_id
        target = resolve(tenant_id, target_id)
        if target is None or target.erased:
            raise ConcurrentUpdate("the contact holding the identity changed")
        conflicts = conflicting_kinds(target.identities, incoming.identities)
        if conflicts:
            raise IdentityConflict(
                f"The {evidence.split(':')[0]} belongs to another contact holding a different "
                f"{conflicts[0].split(':')[0]}.",
                identity=evidence,
            )
        exclusive = tag_groups.exclusive_tags(tenant_id) if incoming.tags and target.tags else {}
        joined = combine(target, incoming, exclusive)[0]
        changed_fields = _changed_fields(target, joined)
        announced: list[BaseModel] = []
        if changed_fields:
            joined = joined.model_copy(update={"version": target.version + 1, "updated_at": now_rfc3339()})
            announced.append(
                events.ContactUpdated(contact_id=target.contact_id, version=joined.version, changed=changed_fields)
            )
        # An owner the contact gains (for a brand it had none for) is announced as a merge does.
        announced += [
            events.ContactOwnerChanged(
                contact_id=target.contact_id, version=joined.version, brand=brand, previous_owner=None, owner=staff_id
            )
            for brand, staff_id in sorted(joined.owners.items())
            if brand not in target.owners
        ]
        dal.save(target, joined, [*announced, *announce(joined)], prepare=prepare(joined))
        return joined, False

    return retry_on_race(
        attempt,
        races=UPSERT_RACES,
        exhausted=lambda: ConcurrentUpdate("The contact is too busy; try again."),
    )


def _changed_fields(before: Contact, after: Contact) -> list[str]:
    fields = [
        name for name in Contact.model_fields if name != "identities" and getattr(before, name) != getattr(after, name)
    ]
    mine, theirs = before.identities, after.identities
    fields += [
        kind for kind in (*SINGLE_KINDS, "openids", "external_userids") if getattr(mine, kind) != getattr(theirs, kind)
    ]
    return sorted(fields)


# Reading ---------------------------------------------------------------------------------------
def merges(contact: Contact, limit: int, cursor: str | None) -> tuple[list[MergeEntry], str | None]:
    """A page of the merges that made this contact, newest first: its own and those of the
    contacts it absorbed (copied under it by each merge), from its partition alone."""
    return dal.merge_log_page(contact.tenant_id, contact.contact_id, limit, cursor)


def candidates(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[MergeCandidate], str | None]:
    """A page of merge candidates, each pair resolved to the contacts it stands for now. A pair
    that has become one contact (merged since) or lost one (erased) is no longer a candidate and
    is skipped (a read writes nothing; the merge of the pair itself deletes its record). Reads on
    past skipped pairs until the page fills or the index ends, in at most ``CANDIDATE_READS``
    queries: only a run of stale pairs longer than that answers a short page with a cursor."""
    shown: list[MergeCandidate] = []
    next_cursor = cursor
    for _ in range(CANDIDATE_READS):
        page, next_cursor = dal.candidates_page(tenant_id, limit - len(shown), next_cursor)
        resolved = resolve_many(tenant_id, [cid for candidate in page for cid in candidate.contact_ids])
        for candidate in page:
            first, second = (resolved.get(cid) for cid in candidate.contact_ids)
            if first is not None and second is not None and first.contact_id != second.contact_id:
                shown.append(candidate.model_copy(update={"contact_ids": [first.contact_id, second.contact_id]}))
        if len(shown) == limit or next_cursor is None:
            break
    return shown, next_cursor
