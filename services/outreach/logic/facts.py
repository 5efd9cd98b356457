"""Outreach's own copy of the contact facts it reaches contacts with, kept from the other services'
events (the ``outreach-facts`` consumer): what a broadcast or a journey reads per recipient, 100
contacts a request, without calling contacts, points or wecom.

Events come late, twice and out of order; each fact keeps what orders it and an older one never
overwrites a newer:
- the profile (contacts' ``ContactProfileChanged``): by the contact's ``version``. A merged-away
  contact's WeCom friendships move to its survivor; an erased contact keeps its status and nothing
  personal (no name, birthday, consent, addresses, friendships; its customers' mappings go).
- the lifecycle stage: by ``changed_at``.
- the points balance: every ledger event carries the balance after it and its ``entry_id``, which
  sorts by creation: the greatest entry's balance is kept. ``RedemptionCancelled`` and
  ``PointsAccountsMerged`` carry no balance and no entry: they are ignored, and the balance they
  change is corrected by the contact's next ledger event.
- points about to expire (``PointsExpiring``): the notice with the latest ``expires_at`` is kept;
  one whose moment has passed is stale and a message's renderer does not use it (``expiring_now``).
- WeCom friendships: per (corp, staff member), by the relationship's ``generation``; a removal
  that comes before its add is remembered (a tombstone), so the late add of that generation does
  not bring the friendship back. A half add (the customer waits for the staff member to accept) is
  not a friendship yet.
- segment membership: per segment, by ``changed_at``; each segment's member count moves in the
  transaction of each membership that flips, so duplicates and races never skew it.
- staff names (``WeComStaffChanged``): by the event's ``occurred_at``.

Each change is written with the event's processed marker; an event that changes nothing is marked
handled on its own. Writes are conditional on what they were decided from (``shared.retry``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from services.outreach.dal import facts as dal
from services.outreach.dal.table import mark_handled
from services.outreach.models import ContactFacts, Friendship
from services.outreach.service import FACTS_CONSUMER
from shared.clock import parse_rfc3339, rfc3339
from shared.dynamo import MAX_TRANSACTION_ITEMS, Prepare
from shared.events import contacts as contact_events
from shared.events import points as points_events
from shared.events import wecom as wecom_events
from shared.inbox import handled
from shared.retry import retry_on_race

MERGE_HOPS = 5  # contacts re-points an alias's aliases at the survivor: one hop, rarely two
MEMBERSHIPS_PER_WRITE = (MAX_TRANSACTION_ITEMS - 1) // dal.MEMBERSHIP_WRITES  # one item for the marker


def _marker(tenant_id: str, event_id: str) -> Prepare:
    return handled(FACTS_CONSUMER.name, tenant_id, event_id)


def _unchanged(tenant_id: str, event_id: str) -> None:
    mark_handled(FACTS_CONSUMER.name, tenant_id, event_id)


def _moment(value: datetime) -> str:
    return rfc3339(value)


def _live(tenant_id: str, contact_id: str) -> dal.StoredFacts:
    """The contact's stored facts, or its survivor's when it was merged away."""
    stored = dal.read(tenant_id, contact_id)
    for _ in range(MERGE_HOPS):
        if stored.facts.status != "merged" or not stored.facts.merged_into:
            break
        stored = dal.read(tenant_id, stored.facts.merged_into)
    return stored


# The profile --------------------------------------------------------------------------------------
def record_profile(tenant_id: str, data: contact_events.ContactProfileChanged, event_id: str) -> None:
    fields = data.model_dump(mode="json", include=set(dal.PROFILE_FIELDS))
    marker = _marker(tenant_id, event_id)
    if data.status == "active":  # the usual case: one conditional write, no read
        if not dal.save_profile(tenant_id, data.contact_id, fields, data.version, marker):
            _unchanged(tenant_id, event_id)
        return

    def attempt(_: int) -> None:
        stored = dal.read(tenant_id, data.contact_id)
        if stored.facts.version >= data.version:
            _unchanged(tenant_id, event_id)
            return
        if data.status == "merged" and data.merged_into:
            _move_friendships(tenant_id, stored, data.merged_into)
        if data.status == "erased":
            _forget_customers(tenant_id, stored.facts)
        dal.clear_profile(tenant_id, data.contact_id, fields, data.version, stored, marker)

    retry_on_race(attempt)


def _move_friendships(tenant_id: str, alias: dal.StoredFacts, survivor_id: str) -> None:
    """The alias's friendships and removals, applied to its survivor before the alias is cleared
    (each is conditional on its generation: moving them again, on a redelivery, changes nothing)."""
    friends = {dal.friendship_key(friend.corp_id, friend.staff_id): friend for friend in alias.facts.friends}
    for friend in friends.values():
        retry_on_race(partial(_add_friendship, tenant_id, survivor_id, friend))
    for key, generation in alias.generations.items():
        if key not in friends:
            corp_id, staff_id = key.split("#", 1)
            retry_on_race(_ending(tenant_id, survivor_id, corp_id, staff_id, generation))


def _ending(tenant_id: str, contact_id: str, corp_id: str, staff_id: str, generation: int) -> Callable[[int], bool]:
    return lambda _: _end_friendship(tenant_id, contact_id, corp_id, staff_id, generation)


def _forget_customers(tenant_id: str, facts: ContactFacts) -> None:
    customers = {*facts.external_userids.items(), *((f.corp_id, f.external_userid) for f in facts.friends)}
    for corp_id, external_userid in customers:
        dal.forget_external_user(tenant_id, corp_id, external_userid, facts.contact_id)


# WeCom friendships --------------------------------------------------------------------------------
def _add_friendship(tenant_id: str, contact_id: str, friend: Friendship, _attempt: int = 0) -> bool:
    """Add the friendship to the contact (or its survivor) unless a generation as new was seen
    (False: nothing written)."""
    stored = _live(tenant_id, contact_id)
    key = dal.friendship_key(friend.corp_id, friend.staff_id)
    if stored.facts.status != "active" or stored.generations.get(key, 0) >= friend.generation:
        return False
    dal.add_friend(tenant_id, stored.facts.contact_id, friend)
    return True


def _end_friendship(
    tenant_id: str, contact_id: str, corp_id: str, staff_id: str, generation: int, *prepares: Prepare
) -> bool:
    """End the friendship on the contact (or its survivor) unless a newer generation was seen;
    the caller's items are written only with it (False: nothing written)."""
    stored = _live(tenant_id, contact_id)
    key = dal.friendship_key(corp_id, staff_id)
    if stored.facts.status == "merged" or stored.generations.get(key, 0) > generation:
        return False
    dal.remove_friend(tenant_id, stored.facts.contact_id, corp_id, staff_id, generation, *prepares)
    return True


def record_identified(tenant_id: str, data: contact_events.WeComCustomerIdentified, event_id: str) -> None:
    """A WeCom customer is this contact, now a friend of the staff member who added it."""
    added = data.added
    friend = Friendship(
        corp_id=added.corp_id,
        staff_id=added.staff_id,
        external_userid=added.external_userid,
        generation=added.generation,
        added_at=_moment(added.added_at),
    )
    marker = _marker(tenant_id, event_id)

    def attempt(_: int) -> None:
        customer = dal.read_external_user(tenant_id, added.corp_id, added.external_userid)
        removed = customer.removed.get(added.staff_id, 0)
        target = _live(tenant_id, data.contact_id)
        if target.facts.status == "erased":  # nothing personal is kept for it, not even the mapping
            _unchanged(tenant_id, event_id)
            return
        contact_id = target.facts.contact_id
        seen = max(removed, target.generations.get(dal.friendship_key(added.corp_id, added.staff_id), 0))
        if added.half or seen >= added.generation:  # not a friendship (yet), or one already ended
            dal.commit(marker, dal.point_external_user(tenant_id, added.corp_id, added.external_userid, contact_id))
            return
        point = dal.point_external_user(
            tenant_id,
            added.corp_id,
            added.external_userid,
            contact_id,
            unless_removed=(added.staff_id, added.generation),
        )
        dal.add_friend(tenant_id, contact_id, friend, marker, point)

    retry_on_race(attempt)


def record_removed(tenant_id: str, data: wecom_events.WeComContactRemoved, event_id: str) -> None:
    """The friendship ended: removed from the customer's contact, or remembered until an add says
    which contact the customer is."""
    marker = _marker(tenant_id, event_id)

    def attempt(_: int) -> None:
        customer = dal.read_external_user(tenant_id, data.corp_id, data.external_userid)
        if customer.contact_id is None:
            if customer.removed.get(data.staff_id, 0) >= data.generation:
                _unchanged(tenant_id, event_id)
            else:
                dal.remember_removal(
                    tenant_id, data.corp_id, data.external_userid, data.staff_id, data.generation, marker
                )
            return
        if not _end_friendship(tenant_id, customer.contact_id, data.corp_id, data.staff_id, data.generation, marker):
            _unchanged(tenant_id, event_id)

    retry_on_race(attempt)


# Lifecycle and points -----------------------------------------------------------------------------
def record_lifecycle(tenant_id: str, data: contact_events.ContactLifecycleChanged, event_id: str) -> None:
    changed_at = _moment(data.changed_at)
    if not dal.save_lifecycle(tenant_id, data.contact_id, data.stage, changed_at, _marker(tenant_id, event_id)):
        _unchanged(tenant_id, event_id)


def record_balance(tenant_id: str, data: points_events.LedgerChanged, event_id: str) -> None:
    marker = _marker(tenant_id, event_id)
    if not dal.save_points_balance(tenant_id, data.contact_id, data.balance, data.entry_id, marker):
        _unchanged(tenant_id, event_id)


def _normalised(moment: str) -> str:
    parsed = parse_rfc3339(moment)
    return rfc3339(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def record_expiring(tenant_id: str, data: points_events.PointsExpiring, event_id: str) -> None:
    expires_at = _normalised(data.expires_at)
    marker = _marker(tenant_id, event_id)
    if not dal.save_points_expiring(tenant_id, data.contact_id, data.points, expires_at, marker):
        _unchanged(tenant_id, event_id)


def expiring_now(facts: ContactFacts, now: datetime) -> tuple[int, str | None]:
    """The points about to expire and when, as a message may say them: nothing once that moment
    has passed (the notice is stale)."""
    if facts.points_expiring_at is None or facts.points_expiring_at <= rfc3339(now):
        return 0, None
    return facts.points_expiring, facts.points_expiring_at


# Segments -----------------------------------------------------------------------------------------
def record_memberships(tenant_id: str, data: contact_events.SegmentMembershipChanged, event_id: str) -> None:
    changed_at = _moment(data.changed_at)
    wanted = dict.fromkeys(data.left, False) | dict.fromkeys(data.entered, True)
    marker = _marker(tenant_id, event_id)

    def attempt(_: int) -> None:
        stored = dal.memberships(tenant_id, data.contact_id, wanted)
        changes = [
            dal.MembershipChange(segment_id, member, changed_at, stored[segment_id])
            for segment_id, member in wanted.items()
            if stored[segment_id].changed_at is None or str(stored[segment_id].changed_at) < changed_at
        ]
        if not changes:
            _unchanged(tenant_id, event_id)
            return
        # Each part is conditional on its memberships as read: a part written before a lost race
        # is found newer on the retry, and the marker goes with the last part.
        parts = [
            changes[start : start + MEMBERSHIPS_PER_WRITE] for start in range(0, len(changes), MEMBERSHIPS_PER_WRITE)
        ]
        for part in parts[:-1]:
            dal.save_memberships(tenant_id, data.contact_id, part)
        dal.save_memberships(tenant_id, data.contact_id, parts[-1], marker)

    retry_on_race(attempt)


# Staff --------------------------------------------------------------------------------------------
def record_staff(tenant_id: str, data: wecom_events.WeComStaffChanged, occurred_at: datetime, event_id: str) -> None:
    marker = _marker(tenant_id, event_id)
    if not dal.save_staff(tenant_id, data.staff_id, data.corp_id, data.name, data.status, _moment(occurred_at), marker):
        _unchanged(tenant_id, event_id)
