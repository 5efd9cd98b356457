"""The contact timeline: every fact about a contact, from every service, once, newest first.

Contacts keeps its own copy of each fact from the event that reported it and reads no other
service's table. An entry's key is ``TL#{occurred_at}#{event_id}``, taken from the event alone:
writing it only if absent makes each fact land once, whichever contact id it named (an alias
resolves to its survivor first) and however often it is delivered. The write is conditioned on
the contact not being an alias, so an entry either lands before a merge (and the merge's copy
takes it along) or after it, on the survivor: none is stranded under an alias.

A merge copies the alias's entries (and those of the contacts merged into it earlier) into the
survivor's partition, same keys, so the survivor's timeline is one partition read with a cursor.
The copy runs in the consumer, ``COPY_PAGES`` pages per delivery at most: a longer timeline saves
where it stopped and is resumed at the event's redelivery.

A fact's summary holds only non-personal fields (ids, points, tag, brand, status, rating,
amounts): never an identity value, never a message text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from services.contacts.dal import contacts as dal
from services.contacts.dal import insight as insight_dal
from services.contacts.logic import autotag, insight, merging, segments
from services.contacts.models import Contact, TimelineEntry, WechatLogin
from shared import ids
from shared.clock import rfc3339, utc_now
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.events.envelope import Envelope
from shared.observability import logger
from shared.retry import retry_on_race

CONTACTS_SOURCE = "siyu.contacts"
COPY_PAGE = 100  # timeline items read (and written, in one transaction) per step of a merge's copy
COPY_PAGES = 20  # steps per delivery of ContactsMerged: 2,000 entries; more resume on redelivery
TIMELINE_READS = 4  # queries one filtered page may take to fill (each reads what is still missing)
RECORD_ATTEMPTS = 5  # a contact merged while its fact was written: resolve again
LOGIN_RETRY_SECONDS = 300  # a WeChat login code lives 5 minutes: a request repeated within is one login

# The non-personal fields each event contributes to the summary (by detail-type).
SUMMARY_FIELDS: dict[str, tuple[str, ...]] = {
    "ContactCreated": ("identity_kinds", "tags"),
    "ContactTagged": ("tag",),
    "ContactUntagged": ("tag",),
    "ContactOwnerChanged": ("brand", "previous_owner", "owner"),
    "ContactsMerged": ("contact_id", "merged_contact_id", "evidence", "also_merged"),
    "CampaignConversionRecorded": (
        "campaign_id",
        "conversion_id",
        "scan_id",
        "kind",
        "points",
        "rewarded",
        "unrewarded_reason",
        "channel",
        "staff_id",
    ),
    "OrderPaid": ("order_id", "amount_fen", "brand", "categories"),
    "OrderBuyerIdentified": ("order_id", "amount_fen", "brand", "categories"),
    "OrderRefunded": ("order_id", "refund_id", "amount_fen"),
    "PointsAwarded": ("entry_id", "points", "balance", "lifetime_earned", "reason", "source"),
    "PointsReversed": ("entry_id", "points", "unrecovered", "balance", "lifetime_earned", "order_id", "refund_id"),
    "PointsExpired": ("entry_id", "points", "balance", "lot_id"),
    "PointsAdjusted": ("entry_id", "points", "balance", "actor"),
    "RewardRedeemed": ("entry_id", "points", "balance", "redemption_id", "reward_id"),
    "RedemptionFulfilled": ("redemption_id", "reward_id", "actor"),
    "RedemptionCancelled": ("redemption_id", "reward_id", "points", "actor"),
    "TierChanged": ("previous_tier", "tier"),
    "CaseOpened": ("case_id", "type", "priority", "intake", "brand"),
    "CaseStatusChanged": ("case_id", "from_status", "to_status", "actor_kind"),
    "CaseRated": ("case_id", "rating", "resolution", "reopened"),
}
# Events recorded under the type of the fact they report.
RECORDED_AS = {"OrderBuyerIdentified": "OrderPaid"}
# A case's status changes that are facts about the customer: resolved, closed, and reopened.
ENDED = frozenset({"resolved", "closed"})


class OrderNotYetKnown(Conflict):
    """A refund of an order whose payment has not reached contacts yet: retried."""


class CopyUnfinished(ConcurrentUpdate):
    """A merge's timeline copy used its pages for this delivery; the redelivery resumes it."""


def summary_of(detail_type: str, data: BaseModel) -> dict[str, Any]:
    return data.model_dump(mode="json", include=set(SUMMARY_FIELDS[detail_type]))


def entry_of(event: Envelope[Any], source: str, detail_type: str, **more: Any) -> TimelineEntry:
    return TimelineEntry.model_validate(
        {
            "event_id": event.metadata.event_id,
            "type": RECORDED_AS.get(detail_type, detail_type),
            "occurred_at": rfc3339(event.metadata.occurred_at),
            "source": source,
            "summary": {**summary_of(detail_type, event.data), **more},
        }
    )


def record(tenant_id: str, contact_id: str, entry: TimelineEntry, *, prepare: Prepare | None = None) -> bool:
    """Put the fact on the timeline of the contact the id stands for (its survivor, for an alias),
    once, and count it in the contact's insight in the same transaction: False when it was there
    already or the contact is unknown or erased."""

    settings = insight_dal.settings(tenant_id)  # once: a race's retry re-reads the contact, not these
    survivor_id: str | None = None

    def attempt(_: int) -> bool:
        nonlocal survivor_id
        contact = merging.resolve(tenant_id, contact_id)
        if contact is None or contact.erased:
            logger.info("fact about an unknown or erased contact ignored", extra={"event_id": entry.event_id})
            return False
        survivor_id = contact.contact_id
        counted = insight.on_fact(tenant_id, contact.contact_id, entry, settings)
        try:
            dal.record_fact(tenant_id, contact.contact_id, entry, prepare=insight.chained(prepare, counted))
        except dal.EntryExists:
            return False
        return True

    recorded = retry_on_race(attempt, races=ConcurrentUpdate, attempts=RECORD_ATTEMPTS)
    follow_fact(tenant_id, contact_id, entry, settings, survivor_id)
    return recorded


def follow_fact(
    tenant_id: str,
    contact_id: str,
    entry: TimelineEntry,
    settings: insight_dal.Settings | None = None,
    survivor_id: str | None = None,
) -> None:
    """What a fact may cause once it is on the timeline, whether recorded now or by an earlier
    delivery that failed after (both idempotent): rules may tag the contact, and the fact may move
    it between segments. ``settings`` and ``survivor_id``: when the caller read them already."""
    autotag.on_fact(tenant_id, contact_id, entry)
    scoring = settings[1] if settings is not None else None
    segments.on_contact_change(tenant_id, contact_id, scoring=scoring, survivor_id=survivor_id)


# Events -----------------------------------------------------------------------------------------
def on_event(tenant_id: str, event: Envelope[Any], source: str, detail_type: str) -> None:
    """A fact reported by an event: on the timeline of the contact it names, once."""
    data = event.data
    contact_id: str | None = getattr(data, "contact_id", None)
    if contact_id is None:
        return  # a case about no member; an order naming its buyer by an identity (see OrderBuyerIdentified)
    if detail_type == "CaseStatusChanged" and not _case_milestone(data.from_status, data.to_status):
        return
    if detail_type not in ("OrderPaid", "OrderBuyerIdentified"):
        record(tenant_id, contact_id, entry_of(event, source, detail_type))
        return
    # An order: paid to a partner (the event's source, or the one contacts identified the buyer
    # for). Its buyer is remembered first, for its refunds, whether or not the contact is known.
    partner = data.partner if detail_type == "OrderBuyerIdentified" else source
    dal.remember_buyer(tenant_id, partner, data.order_id, contact_id)
    record(tenant_id, contact_id, entry_of(event, source, detail_type, partner=partner))


def _case_milestone(from_status: str, to_status: str) -> bool:
    return to_status in ENDED or (from_status in ENDED and to_status not in ENDED)


def on_refunded(tenant_id: str, event: Envelope[Any], source: str) -> None:
    """A refund names only its order: the buyer is the one its payment named (retried until the
    payment has reached contacts, as points does)."""
    buyer = dal.buyer_of(tenant_id, source, event.data.order_id)
    if buyer is None:
        raise OrderNotYetKnown(f"order {event.data.order_id} is not known yet")
    record(tenant_id, buyer, entry_of(event, source, "OrderRefunded", partner=source))


def on_merged(tenant_id: str, event: Envelope[Any]) -> None:
    """The merge is a fact on the survivor's timeline; the absorbed contacts' facts join it."""
    merged = event.data
    record(tenant_id, merged.contact_id, entry_of(event, CONTACTS_SOURCE, "ContactsMerged"))
    follow_merge(tenant_id, merged.contact_id, [merged.merged_contact_id, *merged.also_merged])
    survivor = merging.resolve(tenant_id, merged.contact_id)
    if survivor is not None and not survivor.erased:
        insight.fold_merge(tenant_id, survivor.contact_id, [merged.merged_contact_id, *merged.also_merged])
        for alias_id in [merged.merged_contact_id, *merged.also_merged]:
            segments.on_contact_change(tenant_id, alias_id)


def follow_merge(tenant_id: str, survivor_id: str, alias_ids: list[str]) -> None:
    """Copy the aliases' timelines into the partition of the contact the survivor stands for now.
    A survivor merged into another meanwhile: copied again into that one (its own merge's copy
    may have read the survivor before these entries landed)."""
    budget = COPY_PAGES
    target_id = survivor_id
    for _ in range(merging.MOST_HOPS + 1):
        target = merging.resolve(tenant_id, target_id)
        if target is None or target.erased:
            return
        for alias_id in alias_ids:
            if alias_id != target.contact_id:
                budget = _copy(tenant_id, alias_id, target.contact_id, budget)
        now = merging.resolve(tenant_id, target.contact_id)
        if now is None or now.contact_id == target.contact_id:
            return
        target_id = now.contact_id
    raise ConcurrentUpdate("The survivor keeps being merged; the copy will be retried.")


def _copy(tenant_id: str, alias_id: str, survivor_id: str, budget: int) -> int:
    """Copy one alias's timeline, resuming where an earlier delivery stopped; the pages left."""
    cursor = dal.copy_progress(tenant_id, alias_id, survivor_id)
    resumed = cursor is not None
    while budget > 0:
        page = dal.timeline_raw_page(tenant_id, alias_id, COPY_PAGE, cursor)
        dal.copy_items(tenant_id, survivor_id, page.items)
        budget -= 1
        cursor = page.next_cursor
        if cursor is None:
            if resumed:
                dal.save_copy_progress(tenant_id, alias_id, survivor_id, None)
            return budget
    dal.save_copy_progress(tenant_id, alias_id, survivor_id, cursor)
    raise CopyUnfinished(f"the timeline of {alias_id} is long: its copy resumes at the next delivery")


# Login ------------------------------------------------------------------------------------------
def record_login(request: WechatLogin, contact_id: str) -> None:
    """A member signed in: a fact of its own each time. The login has no event: the request's
    WeChat code stands for it (WeChat issues one per login and accepts it once, within 5 minutes),
    so a request repeated with the same code within ``LOGIN_RETRY_SECONDS`` (a client's retry)
    records nothing more, while every new login (a new code) does."""
    now = utc_now()
    attempt_key = hashlib.sha256(f"{request.app_id}\n{request.code}".encode()).hexdigest()[:32]
    entry = TimelineEntry(
        event_id=ids.new_id("lg_"),
        type="MemberLoggedIn",
        occurred_at=rfc3339(now),
        source=CONTACTS_SOURCE,
        summary={"app_id": request.app_id, "kind": request.kind},
    )

    def claim(tx: Transaction) -> None:
        dal.claim_login(tx, request.tenant_id, attempt_key, now.timestamp(), LOGIN_RETRY_SECONDS)

    try:
        record(request.tenant_id, contact_id, entry, prepare=claim)
    except dal.LoginRepeated:
        logger.info("repeated login request: no new timeline entry")


# Reading ----------------------------------------------------------------------------------------
def page(
    contact: Contact, limit: int, cursor: str | None, types: Sequence[str] | None
) -> tuple[list[TimelineEntry], str | None]:
    """A page of the contact's timeline, newest first (its aliases' facts were copied into it).
    Filtered by type, each query reads only what the page still lacks and at most
    ``TIMELINE_READS`` queries are made: past a long run of other types the page comes back short,
    with a cursor to go on."""
    tenant_id, contact_id = contact.tenant_id, contact.contact_id
    if not types:
        return dal.timeline_page(tenant_id, contact_id, limit, cursor)
    wanted = list(dict.fromkeys(types))
    shown: list[TimelineEntry] = []
    next_cursor = cursor
    for _ in range(TIMELINE_READS):
        found, next_cursor = dal.timeline_page(tenant_id, contact_id, limit - len(shown), next_cursor, wanted)
        shown += found
        if len(shown) == limit or next_cursor is None:
            break
    return shown, next_cursor
