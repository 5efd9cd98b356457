"""A member binds the phone number they confirmed to WeChat (the mini-program's getPhoneNumber)."""

from __future__ import annotations

from services.contacts.gateways.wechat import gateway
from services.contacts.logic.contacts import bind_phone
from services.contacts.logic.identities import normalise_phone
from services.contacts.models import Contact
from shared.auth.principal import MemberPrincipal
from shared.errors import Unprocessable


def bind(member: MemberPrincipal, code: str) -> Contact:
    number = gateway().phone_number(member.tenant_id, member.app_id, code)
    try:
        phone = normalise_phone(number)
    except Unprocessable:
        raise Unprocessable(
            "The phone number WeChat gave is not one we can use.",
            [{"loc": ["body", "code"], "msg": "not a phone number"}],
        ) from None
    return bind_phone(member.tenant_id, member.contact_id, phone)
