"""Contacts rules: who may see and change what, and which events each change announces."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from services.contacts.dal import contacts as dal
from services.contacts.dal import insight as insight_dal
from services.contacts.logic import merging, tag_groups
from services.contacts.logic.identities import normalise_email, normalise_identity, normalise_phone
from services.contacts.models import (
    BUSINESS_ZONE,
    MAX_TAGS,
    TENANT_WIDE,
    Contact,
    ContactCreate,
    ContactDailyStats,
    ContactDay,
    ContactName,
    ContactNameList,
    ContactPatch,
    ContactView,
    Identities,
    MemberPatch,
    MergeCandidate,
    MergeEntry,
    MergeRequest,
    OwnerChange,
    TimelineEntry,
)
from shared import daily, idempotency, ids
from shared.auth.principal import StaffPrincipal
from shared.clock import now_rfc3339, utc_now
from shared.dynamo import Prepare, Transaction
from shared.errors import NotFound, Unprocessable
from shared.events import contacts as events
from shared.retry import retry_on_race

IDENTITY_FIELDS = ("phone", "email", "unionid", "external_userid")


def _normalised(phone: str | None, email: str | None) -> tuple[str | None, str | None]:
    return (normalise_phone(phone) if phone else None, normalise_email(email) if email else None)


def visible_contact(staff: StaffPrincipal, contact_id: str) -> Contact:
    """The contact, if it exists in the caller's tenant and the caller may see it; else 404.
    A merged contact's id stands for its survivor: every staff route acts on the survivor."""
    contact = merging.resolve(staff.tenant_id, contact_id)
    if contact is None or contact.erased:
        raise NotFound("No such contact.")
    if staff.sees_only_own_customers and staff.staff_id not in contact.owners.values():
        raise NotFound("No such contact.")
    return contact


def create_contact(staff: StaffPrincipal, request: ContactCreate, idempotency_key: str | None) -> ContactView:
    """Create a contact; answer its view (the first answer again for a replayed key)."""
    phone, email = _normalised(request.phone, request.email)
    contact = new_contact(
        staff.tenant_id,
        name=request.name,
        gender=request.gender,
        city=request.city,
        birthday=request.birthday,
        attributes=request.attributes or {},
        consent=request.consent or {},
        identities=Identities(
            phone=phone,
            email=email,
            unionid=request.unionid,
            external_userid=request.external_userid,
            openids=request.openids,
        ),
        tags=sorted(tag_groups.one_per_group(request.tags, tag_groups.exclusive_tags(staff.tenant_id)))
        if request.tags
        else [],
        owners={TENANT_WIDE: request.owner} if request.owner else {},
    )

    def write(claim: Callable[[ContactView], Prepare]) -> ContactView:
        # Identities another contact holds: this creation is absorbed into it (an upsert).
        saved, _ = merging.upsert(
            staff.tenant_id,
            contact,
            actor=merging.Actor("staff", staff.staff_id),
            prepare=lambda final: claim(ContactView.of(final)),
        )
        return ContactView.of(saved)

    return idempotency.once_per_key(
        table=dal.table(),
        tenant_id=staff.tenant_id,
        scope="contacts.create",
        key=idempotency_key,
        request=request,
        answer_type=ContactView,
        write=write,
    )


def names(staff: StaffPrincipal, contact_ids: list[str]) -> ContactNameList:
    """What staff call each contact an id stands for (a list names its rows by id): two batch reads,
    never a scan. Gone, erased, or another guide's customer: left out, as a read of it would 404."""
    resolved = merging.resolve_many(staff.tenant_id, list(dict.fromkeys(contact_ids)))
    items = [
        ContactName(contact_id=contact_id, survivor_id=contact.contact_id, display_name=display_name(contact))
        for contact_id, contact in resolved.items()
        if not staff.sees_only_own_customers or staff.staff_id in contact.owners.values()
    ]
    return ContactNameList(items=items)


def display_name(contact: Contact) -> str | None:
    return contact.name or contact.identities.phone or contact.identities.email


def view(contact: Contact) -> ContactView:
    """The contact as staff read it, with its stage now (from its insight: one read)."""
    insight = insight_dal.get(contact.tenant_id, contact.contact_id)
    return ContactView.of(contact, insight.lifecycle if insight is not None else "new")


def views(tenant_id: str, found: Sequence[Contact]) -> list[ContactView]:
    """``view`` for a page of contacts: their insights in one batch read."""
    insights = insight_dal.get_many(tenant_id, [contact.contact_id for contact in found])
    return [
        ContactView.of(contact, insights[contact.contact_id].lifecycle if contact.contact_id in insights else "new")
        for contact in found
    ]


def new_contact(tenant_id: str, **fields: Any) -> Contact:
    """A contact not yet saved: a new id, created and updated now."""
    now = now_rfc3339()
    return Contact(tenant_id=tenant_id, contact_id=ids.new_id("ct_"), created_at=now, updated_at=now, **fields)


def _apply(contact: Contact, changes: dict[str, Any]) -> tuple[Contact, list[str]]:
    """The contact with changes applied (null clears; identities normalised), and what changed."""
    identity_updates = {key: changes.pop(key) for key in IDENTITY_FIELDS if key in changes}
    if identity_updates.get("phone"):
        identity_updates["phone"] = normalise_phone(identity_updates["phone"])
    if identity_updates.get("email"):
        identity_updates["email"] = normalise_email(identity_updates["email"])
    for mapping in ("attributes", "consent"):
        if mapping in changes and changes[mapping] is None:
            changes[mapping] = {}
    identities = contact.identities.model_copy(update=identity_updates)
    updated = contact.model_copy(update={**changes, "identities": identities})
    changed = [key for key in changes if getattr(updated, key) != getattr(contact, key)]
    changed += [key for key in identity_updates if getattr(identities, key) != getattr(contact.identities, key)]
    return updated, sorted(changed)


def _save_update(contact: Contact, changes: dict[str, Any]) -> Contact:
    updated, changed = _apply(contact, changes)
    if not changed:
        return contact
    updated = updated.model_copy(update={"version": contact.version + 1, "updated_at": now_rfc3339()})
    event = events.ContactUpdated(contact_id=contact.contact_id, version=updated.version, changed=changed)
    dal.save(contact, updated, [event])
    return updated


def update_contact(staff: StaffPrincipal, contact_id: str, patch: ContactPatch) -> Contact:
    contact = visible_contact(staff, contact_id)
    actor = merging.Actor("staff", staff.staff_id)
    return _update_merging(contact, patch.model_dump(exclude_unset=True), actor, "identity given by staff")


def update_member(tenant_id: str, contact_id: str, patch: MemberPatch) -> Contact:
    return _save_update(member_contact(tenant_id, contact_id), patch.model_dump(exclude_unset=True))


def bind_phone(tenant_id: str, contact_id: str, phone: str) -> Contact:
    """A member binds the phone WeChat confirmed: it replaces theirs; held by another contact of
    the tenant, the two merge (the older survives) when that is safe."""
    contact = member_contact(tenant_id, contact_id)
    actor = merging.Actor("member", contact.contact_id)
    return _update_merging(contact, {"phone": phone}, actor, "phone bound by the member")


def _update_merging(contact: Contact, changes: dict[str, Any], actor: merging.Actor, reason: str) -> Contact:
    """Apply a change; an identity it names that another contact holds merges the two first
    (safe merges only: otherwise the pair becomes a candidate and the change is refused, 409)."""
    wanted, _ = _apply(contact, dict(changes))
    mine = contact.identities.by_kind()
    for kind, value in wanted.identities.by_kind().items():
        if mine.get(kind) == value:
            continue
        holder = dal.find_by_identity(contact.tenant_id, kind, value)
        if holder is None or holder == contact.contact_id:
            continue
        try:
            return merging.merge(
                contact.tenant_id,
                contact.contact_id,
                holder,
                evidence=kind,
                actor=actor,
                reason=reason,
                safe_only=True,
                adjust_first=lambda merged: _apply(merged, dict(changes))[0],
            )
        except merging.UnsafeMerge as refused:
            merging.note_candidate(contact.tenant_id, contact.contact_id, holder, kind, refused.extra["conflicts"])
            raise dal.IdentityTaken(
                f"The {kind.split(':')[0]} is used by another contact that cannot be merged with this one "
                "automatically; it is listed among the merge candidates.",
                identity=kind,
            ) from None
    return _save_update(contact, changes)


def member_contact(tenant_id: str, contact_id: str) -> Contact:
    """The member's contact; a token issued to a contact since merged keeps working (its survivor)."""
    contact = merging.resolve(tenant_id, contact_id)
    if contact is None or contact.erased:
        raise NotFound("No such contact.")
    return contact


class TooManyTags(Unprocessable):
    """The change would leave the contact with more than ``MAX_TAGS`` tags."""


def tag(staff: StaffPrincipal, contact_id: str, name: str, *, add: bool) -> Contact:
    """Set or remove one tag. Any tag may be set, in a group or not (free tags stay allowed); a
    tag of a single-choice group removes the group's other tags in the same write. A race with
    another change of the contact reads it again."""
    if add:
        return retry_on_race(lambda _: add_tags(visible_contact(staff, contact_id), [name]))
    contact = visible_contact(staff, contact_id)
    if name not in contact.tags:
        return contact  # already so: idempotent, no event
    tags = [t for t in contact.tags if t != name]
    updated = contact.model_copy(update={"tags": tags, "version": contact.version + 1, "updated_at": now_rfc3339()})
    event = events.ContactUntagged(contact_id=contact.contact_id, version=updated.version, tag=name)
    dal.save(contact, updated, [event])
    return updated


def add_tags(contact: Contact, names: Sequence[str], *, prepare: Prepare | None = None) -> Contact:
    """Put tags on a live contact in one write (its tags list and tag items together, with their
    events): each tag of a single-choice group removes the group's other tags (ContactUntagged),
    and of several tags of one such group named together the last one is set. A tag the contact
    holds already changes nothing, so the same call repeated writes nothing and publishes nothing.

    Each tag's group is one read of its claim, and the write holds only while the claim is still
    as read (a group changed meanwhile: ``ConcurrentUpdate``, to read again). ``prepare`` adds the
    caller's items (a consumer's marker) to the write; when nothing changes nothing is written, and
    the contact itself is answered."""
    wanted = list(dict.fromkeys(names))
    if all(name in contact.tags for name in wanted):
        return contact
    tenant_id = contact.tenant_id
    claims = {name: tag_groups.claim_of(tenant_id, name) for name in wanted}
    exclusive = {
        name: frozenset(claim.tags) - {name}
        for name, claim in claims.items()
        if claim is not None and claim.single_choice
    }
    chosen = tag_groups.one_per_group(wanted, exclusive)
    added = [name for name in chosen if name not in contact.tags]
    if not added:
        return contact
    tags = set(contact.tags)
    for name in added:
        claim = claims[name]
        if claim is not None and claim.single_choice:
            tags -= set(claim.tags)
        tags.add(name)
    if len(tags) > MAX_TAGS:
        raise TooManyTags(
            f"A contact holds at most {MAX_TAGS} tags.", [{"loc": ["path", "tag"], "msg": "too many tags"}]
        )
    removed = sorted(set(contact.tags) - tags)
    updated = contact.model_copy(
        update={"tags": sorted(tags), "version": contact.version + 1, "updated_at": now_rfc3339()}
    )
    changes: list[BaseModel] = [
        *(events.ContactTagged(contact_id=contact.contact_id, version=updated.version, tag=name) for name in added),
        *(events.ContactUntagged(contact_id=contact.contact_id, version=updated.version, tag=name) for name in removed),
    ]

    def groups_as_read(tx: Transaction) -> None:
        if prepare is not None:
            prepare(tx)
        tag_groups.claims_unchanged(tx, tenant_id, {name: claims[name] for name in added})

    dal.save(contact, updated, changes, prepare=groups_as_read)
    return updated


def set_owner(staff: StaffPrincipal, contact_id: str, change: OwnerChange) -> Contact:
    contact = visible_contact(staff, contact_id)
    previous = contact.owners.get(change.brand)
    if previous == change.staff_id:
        return contact
    owners = {brand: owner for brand, owner in contact.owners.items() if brand != change.brand}
    if change.staff_id:
        owners[change.brand] = change.staff_id
    updated = contact.model_copy(update={"owners": owners, "version": contact.version + 1, "updated_at": now_rfc3339()})
    event = events.ContactOwnerChanged(
        contact_id=contact_id,
        version=updated.version,
        brand=change.brand,
        previous_owner=previous,
        owner=change.staff_id,
    )
    dal.save(contact, updated, [event])
    return updated


def erase(staff: StaffPrincipal, contact_id: str) -> None:
    """Forget the person: personal data, identities, tags and owners go; the id stays as an
    anonymous tombstone so other services' records (and the ledger) keep a stable reference."""
    contact = visible_contact(staff, contact_id)
    erased = Contact(
        tenant_id=contact.tenant_id,
        contact_id=contact_id,
        erased=True,
        created_at=contact.created_at,
        updated_at=now_rfc3339(),
        version=contact.version + 1,
    )
    dal.save(contact, erased, [events.ContactErased(contact_id=contact_id, version=erased.version)])


def list_contacts(
    staff: StaffPrincipal,
    *,
    limit: int,
    cursor: str | None,
    tag_name: str | None,
    owner: str | None,
    identity: tuple[str, str] | None,
    source_campaign: str | None = None,
) -> tuple[list[Contact], str | None]:
    """One index answers the first filter given (identity, tag, source campaign, owner); the
    others are applied to its page, which may then come back shorter."""
    tenant = staff.tenant_id
    if staff.sees_only_own_customers:
        if owner not in (None, staff.staff_id):
            return [], None
        owner = staff.staff_id
    if identity is not None:
        kind, value = identity
        found = dal.find_by_identity(tenant, kind, normalise_identity(kind, value))
        if found is None and kind == "external_userid":  # a WeCom customer's, in any corp
            found = dal.find_by_corp_external_userid(tenant, value)
        contacts = dal.get_many(tenant, [found]) if found else []
        cursor_out = None
    elif tag_name is not None:
        contacts, cursor_out = dal.list_partition(tenant, dal.tag_partition(tenant, tag_name), limit, cursor)
    elif source_campaign is not None:
        partition = dal.source_partition(tenant, source_campaign)
        contacts, cursor_out = dal.list_partition(tenant, partition, limit, cursor)
    elif owner is not None:
        contacts, cursor_out = dal.list_partition(tenant, dal.owner_partition(tenant, owner), limit, cursor)
        owner = None
    else:
        contacts, cursor_out = dal.list_partition(tenant, dal.all_contacts_partition(tenant), limit, cursor)
    if source_campaign is not None:
        contacts = [c for c in contacts if (c.source or {}).get("campaign_id") == source_campaign]
    if owner is not None:
        contacts = [c for c in contacts if owner in c.owners.values()]
    return contacts, cursor_out


COUNTED = [name for name in ContactDay.model_fields if name != "date"]


def daily_stats(tenant_id: str, days: int) -> ContactDailyStats:
    """New contacts per business day over the last ``days`` days, today included."""
    dates = daily.window(BUSINESS_ZONE, days, utc_now())
    rows = dal.daily_figures(tenant_id, dates, COUNTED)
    return ContactDailyStats(zone=BUSINESS_ZONE, days=[ContactDay.model_validate(row) for row in rows])


def merge_by_hand(staff: StaffPrincipal, contact_id: str, request: MergeRequest) -> Contact:
    """A manager merges two contacts (the older survives, whichever is named first)."""
    if request.from_contact_id == contact_id:
        raise Unprocessable(
            "A contact cannot be merged into itself.",
            [{"loc": ["body", "from_contact_id"], "msg": "the same contact as the path"}],
        )
    # Managers and admins see every contact of the tenant: an id of another tenant is not found,
    # an erased contact is refused (409) by the merge itself.
    return merging.merge(
        staff.tenant_id,
        contact_id,
        request.from_contact_id,
        evidence=merging.MANUAL,
        actor=merging.Actor("staff", staff.staff_id),
        reason=request.reason,
    )


def merges_of(
    staff: StaffPrincipal, contact_id: str, limit: int, cursor: str | None
) -> tuple[list[MergeEntry], str | None]:
    return merging.merges(visible_contact(staff, contact_id), limit, cursor)


def timeline_of(
    staff: StaffPrincipal, contact_id: str, limit: int, cursor: str | None, types: Sequence[str] | None
) -> tuple[list[TimelineEntry], str | None]:
    """The contact's timeline (an alias's id answers its survivor's, which holds the alias's facts)."""
    from services.contacts.logic import timeline

    return timeline.page(visible_contact(staff, contact_id), limit, cursor, types)


def merge_candidates(staff: StaffPrincipal, limit: int, cursor: str | None) -> tuple[list[MergeCandidate], str | None]:
    """Pairs that may be one person, for managers (the route admits only them)."""
    return merging.candidates(staff.tenant_id, limit, cursor)
