"""Member login: a WeChat login code (mini-program, or web-page OAuth for the H5) → the member's
contact → a member token."""

from __future__ import annotations

from services.contacts.dal import contacts as dal
from services.contacts.gateways.wechat import WechatSession, gateway
from services.contacts.logic.contacts import created_event, new_contact
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
    token, expires = issue_member_token(
        MemberPrincipal(
            tenant_id=request.tenant_id, contact_id=contact_id, app_id=request.app_id, openid=session.openid
        )
    )
    return LoginAnswer(token=token, contact_id=contact_id, expires_at=rfc3339(expires))


def resolve_contact(tenant_id: str, app_id: str, session: WechatSession) -> str:
    """Find the contact by openid, then by unionid (linking the openid), else create it.

    Concurrent first logins race on the identity items; the loser's transaction fails on the
    identity's uniqueness condition and it simply looks again.
    """
    openid_kind = f"openid:{app_id}"

    def attempt(_: int) -> str:
        found = dal.find_by_identity(tenant_id, openid_kind, session.openid)
        if found:
            return found
        linked = session.unionid and dal.find_by_identity(tenant_id, "unionid", session.unionid)
        if linked:
            _link_openid(tenant_id, linked, app_id, session.openid)
            return linked
        return _create(tenant_id, app_id, session)

    return retry_on_race(
        attempt,
        races=LOGIN_RACES,
        attempts=LOGIN_ATTEMPTS,
        exhausted=lambda: Conflict("The login raced with another; try again."),
    )


def _link_openid(tenant_id: str, contact_id: str, app_id: str, openid: str) -> None:
    contact = dal.get(tenant_id, contact_id)
    if contact is None:
        raise ConcurrentUpdate("contact vanished")
    identities = contact.identities.model_copy(update={"openids": {**contact.identities.openids, app_id: openid}})
    updated = contact.model_copy(
        update={"identities": identities, "version": contact.version + 1, "updated_at": now_rfc3339()}
    )
    dal.save(
        contact,
        updated,
        [ContactUpdated(contact_id=contact_id, version=updated.version, changed=["openids"])],
    )


def _create(tenant_id: str, app_id: str, session: WechatSession) -> str:
    contact = new_contact(tenant_id, identities=Identities(unionid=session.unionid, openids={app_id: session.openid}))
    dal.save(None, contact, [created_event(contact)])
    return contact.contact_id
