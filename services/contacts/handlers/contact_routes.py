"""Contacts routes: the profile, its tags, owners, merges and timeline; members' own profile.
Parse, authorise, call the logic, shape the answer. No rules here."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from services.contacts.handlers.resolver import ContactId, api
from services.contacts.logic import contacts
from services.contacts.models import (
    CampaignId,
    ContactCreate,
    ContactDailyStats,
    ContactList,
    ContactNameList,
    ContactPatch,
    ContactView,
    LoginAnswer,
    MemberPatch,
    MemberView,
    MergeCandidateList,
    MergeList,
    MergeRequest,
    OwnerChange,
    PhoneBinding,
    Tag,
    TimelineList,
    TimelineType,
    WechatLogin,
)
from shared.errors import Unprocessable
from shared.params import Cursor, Days, Limit, Path, Query

IdentityFilter = Annotated[str | None, Query(max_length=254)]
NAMES_AT_ONCE = 50  # a page of a list that names its contacts by id
NameIds = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]],
    Query(min_length=1, max_length=NAMES_AT_ONCE, alias="id", description="Contact ids, the parameter repeated."),
]


@api.route("POST /v1/auth/wechat", errors=(401, 503))
def wechat_login(body: WechatLogin) -> LoginAnswer:
    """Exchange a mini-program login code for a member token (creates the contact on first login)."""
    from services.contacts.logic import login  # WeChat and token signing: only this route pays for them

    return login.login(body)


@api.route("POST /v1/contacts", status=201, idempotent=True)
def create_contact(body: ContactCreate) -> ContactView:
    """Create a contact (accepts Idempotency-Key)."""
    return contacts.create_contact(api.staff(), body, api.idempotency_key())


@api.route("GET /v1/contacts")
def list_contacts(
    limit: Limit = 50,
    cursor: Cursor = None,
    tag: Annotated[Tag | None, Query()] = None,
    owner: Annotated[str | None, Query(max_length=128)] = None,
    phone: IdentityFilter = None,
    email: IdentityFilter = None,
    unionid: IdentityFilter = None,
    external_userid: IdentityFilter = None,
    source_campaign: Annotated[CampaignId | None, Query(description="The campaign that acquired them.")] = None,
) -> ContactList:
    """List contacts, optionally by tag, owner, source campaign or one identity; guides see only their own."""
    given = {
        k: v
        for k, v in {
            "phone": phone,
            "email": email,
            "unionid": unionid,
            "external_userid": external_userid,
        }.items()
        if v
    }
    if len(given) > 1:
        raise Unprocessable("Filter by one identity at a time.", [{"loc": ["query"], "msg": "several identities"}])
    found, next_cursor = contacts.list_contacts(
        api.staff(),
        limit=limit,
        cursor=cursor,
        tag_name=tag,
        owner=owner,
        identity=next(iter(given.items()), None),
        source_campaign=source_campaign,
    )
    return ContactList(items=contacts.views(api.staff().tenant_id, found), next_cursor=next_cursor)


@api.route("GET /v1/contacts/names")
def contact_names(ids: NameIds) -> ContactNameList:
    """What to call the contacts a list names by id (up to 50 at once): each id's display name and
    the contact it stands for now; ids the caller may not see, or that are gone, are left out."""
    return contacts.names(api.staff(), ids)


@api.route("GET /v1/contacts/daily-stats")
def daily_stats(days: Days = 30) -> ContactDailyStats:
    """New contacts per day over the last days (the tenant's business days), oldest first."""
    return contacts.daily_stats(api.staff().tenant_id, days)


@api.route("GET /v1/contacts/{contact_id}")
def get_contact(contact_id: ContactId) -> ContactView:
    """Read a contact."""
    return contacts.view(contacts.visible_contact(api.staff(), contact_id))


@api.route("PATCH /v1/contacts/{contact_id}")
def patch_contact(contact_id: ContactId, body: ContactPatch) -> ContactView:
    """Change a contact: fields sent are set, null clears."""
    return contacts.view(contacts.update_contact(api.staff(), contact_id, body))


@api.route("DELETE /v1/contacts/{contact_id}", status=204)
def erase_contact(contact_id: ContactId) -> None:
    """Erase a contact's personal data (PIPL/GDPR)."""
    contacts.erase(api.staff(), contact_id)


@api.route("PUT /v1/contacts/{contact_id}/tags/{tag}")
def add_tag(contact_id: ContactId, tag: Annotated[Tag, Path()]) -> ContactView:
    """Tag a contact."""
    return contacts.view(contacts.tag(api.staff(), contact_id, tag, add=True))


@api.route("DELETE /v1/contacts/{contact_id}/tags/{tag}")
def remove_tag(contact_id: ContactId, tag: Annotated[Tag, Path()]) -> ContactView:
    """Remove a tag from a contact."""
    return contacts.view(contacts.tag(api.staff(), contact_id, tag, add=False))


@api.route("PUT /v1/contacts/{contact_id}/owner")
def set_owner(contact_id: ContactId, body: OwnerChange) -> ContactView:
    """Set (or clear) the contact's owner for a brand, or tenant-wide with brand "*"."""
    return contacts.view(contacts.set_owner(api.staff(), contact_id, body))


@api.route("POST /v1/contacts/{contact_id}/merge")
def merge_contacts(contact_id: ContactId, body: MergeRequest) -> ContactView:
    """Merge two contacts into one: the older survives (either may be named first); answers the survivor."""
    return contacts.view(contacts.merge_by_hand(api.staff(), contact_id, body))


@api.route("GET /v1/contacts/merge-candidates")
def merge_candidates(limit: Limit = 50, cursor: Cursor = None) -> MergeCandidateList:
    """Pairs of contacts that may be one person but were not merged automatically, newest first."""
    found, next_cursor = contacts.merge_candidates(api.staff(), limit, cursor)
    return MergeCandidateList(items=found, next_cursor=next_cursor)


@api.route("GET /v1/contacts/{contact_id}/merges")
def contact_merges(contact_id: ContactId, limit: Limit = 50, cursor: Cursor = None) -> MergeList:
    """The merges that made this contact, newest first: survivor, alias, evidence (an identity kind),
    actor, reason, time."""
    found, next_cursor = contacts.merges_of(api.staff(), contact_id, limit, cursor)
    return MergeList(items=found, next_cursor=next_cursor)


@api.route("GET /v1/contacts/{contact_id}/timeline")
def contact_timeline(
    contact_id: ContactId,
    limit: Limit = 50,
    cursor: Cursor = None,
    types: Annotated[
        list[TimelineType] | None,
        Query(max_length=50, description="Only these types: comma-separated, or the name repeated."),
    ] = None,
) -> TimelineList:
    """Every fact about the contact from every service (its merged contacts' too), newest first.
    Filtered by type, a page may come back short with a next_cursor: follow it."""
    found, next_cursor = contacts.timeline_of(api.staff(), contact_id, limit, cursor, types)
    return TimelineList(items=found, next_cursor=next_cursor)


@api.route("GET /v1/me", errors=(404,))
def get_me() -> MemberView:
    """The member's own profile."""
    member = api.member()
    return MemberView.of(contacts.member_contact(member.tenant_id, member.contact_id))


@api.route("PATCH /v1/me", errors=(404,))
def patch_me(body: MemberPatch) -> MemberView:
    """Change the member's own profile."""
    member = api.member()
    return MemberView.of(contacts.update_member(member.tenant_id, member.contact_id, body))


@api.route("POST /v1/me/phone", errors=(404, 409, 422, 503))
def bind_phone(body: PhoneBinding) -> MemberView:
    """Bind the phone number the member confirmed in WeChat (a getPhoneNumber code); a number another
    contact holds merges the two when it is safe (409 when not)."""
    from services.contacts.logic import phone  # WeChat's HTTP client: only this route pays for it

    return MemberView.of(phone.bind(api.member(), body.code))
