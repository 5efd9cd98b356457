"""WeCom's callbacks at the door: verified, decrypted, deduplicated and queued on the bus.

WeCom signs each call (``msg_signature`` = SHA-1 over the sorted token, timestamp, nonce and
ciphertext) and encrypts the message with the corp's EncodingAESKey (``shared.wecom_crypto``). A
tenant may have several corps (sub-brands): the POST body names its corp in ``ToUserName``; the URL
check (GET) names none, so each corp's token is tried.

- A signature that matches no corp's token, a ciphertext whose receive id is not the corp, or a
  timestamp more than five minutes from now → 401, nothing stored.
- Anything else that cannot be used is answered ``success`` (WeCom retries every non-200 answer,
  three times, and a message that can never be processed must not become a retry storm) and
  recorded with its reason: under the tenant when the call was verified (a malformed message, an
  event Siyu does not handle), in the log only when it was not (a body that is not WeCom's XML, a
  tenant with no corp set up: nobody proved the right to write under a tenant).
- A verified message is queued as ``WeComCallbackReceived`` once: WeCom redelivers a message it
  did not see answered, byte for byte, so its digest is the dedupe key.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from services.wecom.dal import callbacks as dal
from services.wecom.dal import settings as settings_dal
from services.wecom.models import WeComCredentials
from shared import wecom_crypto
from shared.errors import Unauthorized
from shared.events.wecom import WeComCallbackReceived
from shared.observability import logger

REPLAY_WINDOW_SECONDS = 300
REFUSED = "The callback's signature does not match."
ACCEPTED = "success"  # what WeCom expects of a handled (or deliberately dropped) message

# The events the service handles: the door refuses the rest (recorded) rather than queue them.
HANDLED_KINDS = frozenset(
    {
        "change_external_contact/add_external_contact",
        "change_external_contact/add_half_external_contact",
        "change_external_contact/edit_external_contact",
        "change_external_contact/del_external_contact",
        "change_external_contact/del_follow_user",
        "change_external_contact/transfer_fail",
        "change_external_chat/create",
        "change_external_chat/update",
        "change_external_chat/dismiss",
        "change_contact/create_user",
        "change_contact/update_user",
        "change_contact/delete_user",
        "change_contact/create_party",
        "change_contact/update_party",
        "change_contact/delete_party",
    }
)
MAX_FIELD_CHARACTERS = 2048
REFRESH_SECONDS = 30.0
_refreshed: dict[str, float] = {}  # tenant → when this container last re-read its secret


def _fresh(timestamp: str | None) -> None:
    text = timestamp or ""
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise Unauthorized(REFUSED)
    if abs(int(text) - time.time()) > REPLAY_WINDOW_SECONDS:
        raise Unauthorized("The callback's signed timestamp is outside the replay window.", reason="stale_timestamp")


def _signed_by(
    corps: list[WeComCredentials], timestamp: str, nonce: str, encrypted: str, sent: str
) -> WeComCredentials | None:
    for corp in corps:
        try:
            wecom_crypto.verify_signature(corp.token, timestamp, nonce, encrypted, sent)
        except wecom_crypto.CallbackCryptoError:
            continue
        return corp
    return None


def _credentials(
    tenant_id: str, corps: list[dict[str, Any]], corp_id: str | None, *, refresh: bool
) -> list[WeComCredentials]:
    return [
        credentials
        for public in corps
        if corp_id is None or public["corp_id"] == corp_id
        if (credentials := settings_dal.credentials_of(tenant_id, public, refresh=refresh)) is not None
    ]


def _verified(
    tenant_id: str,
    corps: list[dict[str, Any]],
    corp_id: str | None,
    signature: str | None,
    timestamp: str | None,
    nonce: str | None,
    encrypted: str,
) -> WeComCredentials:
    """The corp whose token signed the call; 401 otherwise. A set-up may just have changed the
    token: on a mismatch the secret is read again once before refusing."""
    if not signature or not nonce or len(nonce) > 64:
        raise Unauthorized(REFUSED)
    _fresh(timestamp)
    assert timestamp is not None
    for refresh in (False, True):
        if refresh and not _may_refresh(tenant_id):
            break
        found = _credentials(tenant_id, corps, corp_id, refresh=refresh)
        corp = _signed_by(found, timestamp, nonce, encrypted, signature)
        if corp is not None:
            return corp
    raise Unauthorized(REFUSED)


def _may_refresh(tenant_id: str) -> bool:
    """At most one forced secret read per tenant and container every ``REFRESH_SECONDS``: a
    forged callback is free to send, a Secrets Manager read is not (and shares a quota)."""
    now = time.monotonic()
    if now - _refreshed.get(tenant_id, -REFRESH_SECONDS) < REFRESH_SECONDS:
        return False
    _refreshed[tenant_id] = now
    return True


def _decrypt(corp: WeComCredentials, encrypted: str) -> str:
    try:
        return wecom_crypto.decrypt(corp.encoding_aes_key, encrypted, corp.corp_id)
    except wecom_crypto.CallbackCryptoError as error:
        # A signed ciphertext that does not decrypt to this corp: the key or the corp is wrong.
        raise Unauthorized("The callback is not encrypted for this corp.", reason=error.reason) from None


def check_url(
    tenant_id: str, signature: str | None, timestamp: str | None, nonce: str | None, echostr: str | None
) -> str:
    """WeCom's check of the callback URL: the decrypted ``echostr`` when a corp's token signed it."""
    if not echostr or len(echostr) > 1024:
        raise Unauthorized(REFUSED)
    corp = _verified(tenant_id, settings_dal.corps(tenant_id), None, signature, timestamp, nonce, echostr)
    return _decrypt(corp, echostr)


def receive(  # noqa: PLR0911 - each early answer is one of the door's documented outcomes
    tenant_id: str, signature: str | None, timestamp: str | None, nonce: str | None, body: str
) -> str:
    """One callback: queued once when it is a verified message of a handled kind."""
    try:
        envelope = wecom_crypto.parse_xml(body)
    except wecom_crypto.CallbackCryptoError as error:
        logger.warning("wecom callback refused", extra={"tenant_id": tenant_id, "reason": f"envelope {error.reason}"})
        return ACCEPTED
    encrypted = envelope.get("Encrypt", "")
    if not encrypted:
        logger.warning("wecom callback refused", extra={"tenant_id": tenant_id, "reason": "no Encrypt element"})
        return ACCEPTED
    corps = settings_dal.corps(tenant_id)  # one read: the corps and, cached, their secrets
    if not corps:
        logger.warning("wecom callback refused", extra={"tenant_id": tenant_id, "reason": "tenant has no corp"})
        return ACCEPTED
    corp = _verified(tenant_id, corps, envelope.get("ToUserName") or None, signature, timestamp, nonce, encrypted)
    message = _decrypt(corp, encrypted)
    try:
        fields = wecom_crypto.parse_xml(message)
    except wecom_crypto.CallbackCryptoError as error:
        dal.reject(tenant_id, corp.corp_id, "", f"malformed message: {error.reason}")
        return ACCEPTED
    kind = "/".join(part for part in (fields.get("Event", ""), fields.get("ChangeType", "")) if part)
    if len(fields.get("MemChangeList", "")) > MAX_FIELD_CHARACTERS:
        fields.pop("MemChangeList")  # too many to carry: the group is read from WeCom instead
    problem = _problem(kind, fields)
    if problem is not None:
        dal.reject(tenant_id, corp.corp_id, kind, problem)
        return ACCEPTED
    digest = hashlib.sha256(message.encode()).hexdigest()
    try:
        event = WeComCallbackReceived(
            callback_id=digest,
            corp_id=corp.corp_id,
            kind=kind,
            created_at=datetime.fromtimestamp(int(fields["CreateTime"]), UTC),
            fields=fields,
        )
    except (ValidationError, ValueError, OverflowError, OSError) as error:  # a time out of range, a field too long
        dal.reject(tenant_id, corp.corp_id, kind, f"does not fit the event: {type(error).__name__}")
        return ACCEPTED
    if not dal.queue(tenant_id, digest, event):
        logger.info("wecom callback redelivered", extra={"tenant_id": tenant_id, "kind": kind})
    return ACCEPTED


def _problem(kind: str, fields: dict[str, str]) -> str | None:
    """Why a verified message cannot be queued, or None."""
    if fields.get("MsgType") != "event":
        return f"not an event: MsgType {fields.get('MsgType', '')[:32]!r}"
    if kind not in HANDLED_KINDS:
        return f"unhandled event {kind[:128]!r}"
    created = fields.get("CreateTime", "")
    if not (created.isascii() and created.isdigit()) or len(created) > 12:
        return "no CreateTime"
    if len(fields) > 64 or any(len(value) > MAX_FIELD_CHARACTERS for value in fields.values()):
        return "too large"
    if any(not name.isascii() or not name[:1].isalpha() for name in fields):
        return "unexpected element names"
    return _missing(kind, fields)


def _missing(kind: str, fields: dict[str, str]) -> str | None:
    """The element a kind cannot do without, when it is missing."""
    family, _, change = kind.partition("/")
    if family == "change_external_chat" and not fields.get("ChatId"):
        return "no ChatId"
    if family == "change_external_contact" and (not fields.get("UserID") or not fields.get("ExternalUserID")):
        return "no UserID or ExternalUserID"
    if family == "change_contact" and change.endswith("_user") and not fields.get("UserID"):
        return "no UserID"
    if family == "change_contact" and change.endswith("_party") and not fields.get("Id"):
        return "no Id"
    return None
