"""Identity normalisation: one spelling per identity, so uniqueness means what people expect."""

from __future__ import annotations

import re

from shared.errors import Unprocessable

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(raw: str) -> str:
    """E.164. A bare 11-digit mainland mobile number is taken as +86 (the default market)."""
    compact = re.sub(r"[\s\-().]", "", raw)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if _CN_MOBILE.match(compact):
        compact = "+86" + compact
    if not _E164.match(compact):
        raise Unprocessable("The phone number is not valid.", [{"loc": ["body", "phone"], "msg": "not a phone number"}])
    return compact


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    if not _EMAIL.match(email):
        raise Unprocessable("The email is not valid.", [{"loc": ["body", "email"], "msg": "not an email address"}])
    return email


def normalise_identity(kind: str, value: str) -> str:
    """The one spelling of an identity of this kind (only phones and emails have several)."""
    if kind == "phone":
        return normalise_phone(value)
    if kind == "email":
        return normalise_email(value)
    return value
