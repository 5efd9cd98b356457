"""Member login: a WeChat login code (mini-program, or web-page OAuth for the H5) → the member's
contact → a member token."""

from __future__ import annotations

from services.contacts.dal import contacts as dal
from services.contacts.gateways.wechat import WechatSession, gateway
from services.contacts.logic import merging, timeline
from services.contacts.logic.contacts import new_contact
from services.contacts.logic.merging import created_event
from services.contacts.models import Identities, LoginAnswer, WechatLogin
from shared.auth.principal import MemberPrincipal
from shared.auth.tokens import issue_member_token
from shared.clock import now_rfc3339, rfc3339
from shared.errors import ConcurrentUpdate, Conflict
from shared.events.contacts import ContactUpdated
from shared.retry import retry_on_race

LOGIN_ATTEMPTS = 3
# Another first login of the same person took the identity, created the contact or changed it.
LOGIN_RACES = (dal.IdentityTaken, dal.ContactExists, ConcurrentUpdate)


def login(request: WechatLogin) -> LoginAnswer:
    session = gateway().code_to_session(request.tenant_id, request.app_id, request.code, request.kind)
    contact_id = resolve_contact(request.tenant_id, request.app_id, session)
    timeline.record_login(request, contact_id)
    token, expires = issue_member_token(
        MemberPrincipal(
            tenant_id=request.tenant_id, contact_id=contact_id, app_id=request.app_id, openid=session.openid
        )
    )
    return LoginAnswer(token=token, contact_id=contact_id, expires_at=rfc3339(expires))


def resolve_contact(tenant_id: str, app_id: str, session: WechatSession) -> str:
    """Find the contact by openid and by unionid: one of them links the other's identity to it;
    both, held by two contacts, merge them when it is safe (else they become a merge candidate
    and the openid's contact signs in); neither creates the contact.

    Concurrent first logins race on the identity items; the loser's transaction fails on the
    identity's uniqueness condition and it simply looks again.
    """
    openid_kind = f"openid:{app_id}"

    def attempt(_: int) -> str:
        found = dal.find_by_identity(tenant_id, openid_kind, session.openid)
        linked = dal.find_by_identity(tenant_id, "unionid", session.unionid) if session.unionid else None
        if found and linked and found != linked:
            actor = merging.Actor("member", found)
            survivor = merging.merge_if_safe(tenant_id, found, linked, evidence="unionid", actor=actor)
            return survivor.contact_id if survivor is not None else found
        if found:
            if session.unionid and not linked:
                _link(tenant_id, found, unionid=session.unionid)
            return found
        if linked:
            _link(tenant_id, linked, app_id=app_id, openid=session.openid)
            return linked
        return _create(tenant_id, app_id, session)

    return retry_on_race(
        attempt,
        races=LOGIN_RACES,
        attempts=LOGIN_ATTEMPTS,
        exhausted=lambda: Conflict("The login raced with another; try again."),
    )


def _link(tenant_id: str, contact_id: str, *, app_id: str = "", openid: str = "", unionid: str | None = None) -> None:
    """Give the contact the identity it signed in with that it lacks (an app's openid, or the
    unionid WeChat now reports): a contact already holding another unionid keeps its own."""
    contact = merging.resolve(tenant_id, contact_id)
    if contact is None or contact.erased:
        raise ConcurrentUpdate("contact vanished")
    changed = "unionid" if unionid else "openids"
    if unionid:
        if contact.identities.unionid:
            return
        identities = contact.identities.model_copy(update={"unionid": unionid})
    else:
        identities = contact.identities.model_copy(update={"openids": {**contact.identities.openids, app_id: openid}})
    updated = contact.model_copy(
        update={"identities": identities, "version": contact.version + 1, "updated_at": now_rfc3339()}
    )
    dal.save(
        contact,
        updated,
        [ContactUpdated(contact_id=contact.contact_id, version=updated.version, changed=[changed])],
    )


def _create(tenant_id: str, app_id: str, session: WechatSession) -> str:
    contact = new_contact(tenant_id, identities=Identities(unionid=session.unionid, openids={app_id: session.openid}))
    dal.save(None, contact, [created_event(contact)])
    return contact.contact_id
