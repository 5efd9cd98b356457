"""The cryptography of WeCom's and WeChat's encrypted callbacks (the WXBizMsgCrypt scheme).

WeCom (企业微信) always, and a WeChat official account in safe mode (安全模式), encrypt what they
post and sign it:

- ``msg_signature`` = SHA-1 hex of the sorted concatenation of the callback token, the timestamp,
  the nonce and the ciphertext (the ``Encrypt`` element, or ``echostr`` for a URL check);
- the key is the 43-character EncodingAESKey plus ``=``, base64-decoded: 32 bytes, AES-256-CBC,
  the IV its first 16 bytes;
- the plaintext is 16 random bytes, the message's length (4 bytes, big-endian), the message
  (UTF-8) and the receive id (the corp id for WeCom, the app id for an official account), padded
  PKCS#7-style to a multiple of 32 bytes (pad values 1..32).

Pure: no AWS, no settings. ``cryptography`` is imported by the functions that run AES only, so
importing this module costs the standard library's hashing and nothing else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
from typing import TYPE_CHECKING, Literal
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

Reason = Literal["bad_signature", "bad_receive_id", "bad_key", "malformed"]

BLOCK = 32  # the scheme's PKCS#7 block: 32 bytes, not AES's 16
RANDOM_BYTES = 16
KEY_CHARS = 43
MAX_XML_BYTES = 64 * 1024
MAX_XML_ELEMENTS = 64
# The deepest WeCom sends is four levels below <xml> (a template card's
# SelectedItems/SelectedItem/OptionIds/OptionId, a picture event's SendPicsInfo/PicList/item/PicMd5Sum).
MAX_XML_DEPTH = 4
# A list element's <Item>s (a group's MemChangeList: up to a whole group of 2,000 changing at once)
# count apart from the other elements.
LIST_ITEM = "Item"
MAX_XML_LIST_ITEMS = 2000


class CallbackCryptoError(Exception):
    """A callback that does not verify or decrypt; ``reason`` says which check refused it."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """SHA-1 hex of the sorted concatenation of the four strings."""
    joined = "".join(sorted((token, timestamp, nonce, encrypted)))
    return hashlib.sha1(joined.encode()).hexdigest()  # noqa: S324 - WeCom's scheme


def verify_signature(token: str, timestamp: str, nonce: str, encrypted: str, sent: str) -> None:
    """Nothing when ``sent`` is the signature (hex, either case); ``bad_signature`` otherwise."""
    expected = signature(token, timestamp, nonce, encrypted)
    if not sent.isascii() or not hmac.compare_digest(expected, sent.lower()):
        raise CallbackCryptoError("bad_signature")


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key an EncodingAESKey encodes; ``bad_key`` for anything else."""
    if len(encoding_aes_key) != KEY_CHARS or not encoding_aes_key.isascii():
        raise CallbackCryptoError("bad_key")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise CallbackCryptoError("bad_key") from None
    if len(key) != 32:
        raise CallbackCryptoError("bad_key")
    return key


def _cipher(key: bytes) -> Cipher[modes.CBC]:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # on use: AES only

    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def decrypt(encoding_aes_key: str, encrypted: str, receive_id: str) -> str:
    """The message inside ``encrypted``, when it was encrypted with this key for ``receive_id``."""
    key = aes_key(encoding_aes_key)
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise CallbackCryptoError("malformed") from None
    if not raw or len(raw) % BLOCK:
        raise CallbackCryptoError("malformed")
    decryptor = _cipher(key).decryptor()
    padded = decryptor.update(raw) + decryptor.finalize()
    pad = padded[-1]
    if not 1 <= pad <= BLOCK or padded[-pad:] != bytes([pad]) * pad:
        raise CallbackCryptoError("malformed")
    plain = padded[:-pad]
    if len(plain) < RANDOM_BYTES + 4:
        raise CallbackCryptoError("malformed")
    (length,) = struct.unpack(">I", plain[RANDOM_BYTES : RANDOM_BYTES + 4])
    start = RANDOM_BYTES + 4
    if start + length > len(plain):
        raise CallbackCryptoError("malformed")
    message, sender = plain[start : start + length], plain[start + length :]
    if not hmac.compare_digest(sender, receive_id.encode()):
        raise CallbackCryptoError("bad_receive_id")
    try:
        return message.decode()
    except UnicodeDecodeError:
        raise CallbackCryptoError("malformed") from None


def encrypt(encoding_aes_key: str, message: str, receive_id: str, *, random_prefix: bytes | None = None) -> str:
    """``message`` encrypted for ``receive_id``: the inverse of ``decrypt``."""
    key = aes_key(encoding_aes_key)
    prefix = secrets.token_bytes(RANDOM_BYTES) if random_prefix is None else random_prefix
    if len(prefix) != RANDOM_BYTES:
        raise ValueError("the random prefix is 16 bytes")
    body = message.encode()
    plain = prefix + struct.pack(">I", len(body)) + body + receive_id.encode()
    pad = BLOCK - len(plain) % BLOCK
    encryptor = _cipher(key).encryptor()
    return base64.b64encode(encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()).decode()


def _cdata(text: str) -> str:
    if "]]>" in text:
        raise ValueError("text that ends a CDATA section")
    return f"<![CDATA[{text}]]>"


def encrypted_envelope(
    token: str, encoding_aes_key: str, receive_id: str, message: str, timestamp: str, nonce: str
) -> str:
    """The signed, encrypted XML WeCom accepts as a passive reply (and the fake WeCom sends)."""
    encrypted = encrypt(encoding_aes_key, message, receive_id)
    signed = signature(token, timestamp, nonce, encrypted)
    return (
        f"<xml><Encrypt>{_cdata(encrypted)}</Encrypt><MsgSignature>{_cdata(signed)}</MsgSignature>"
        f"<TimeStamp>{escape(timestamp)}</TimeStamp><Nonce>{_cdata(nonce)}</Nonce></xml>"
    )


def callback_body(encoding_aes_key: str, receive_id: str, message: str, agent_id: str = "") -> tuple[str, str]:
    """The body of a callback POST (``ToUserName``, ``Encrypt``, ``AgentID`` when given) and its
    ``Encrypt`` value, which the caller signs into the query's ``msg_signature``."""
    encrypted = encrypt(encoding_aes_key, message, receive_id)
    agent = f"<AgentID>{_cdata(agent_id)}</AgentID>" if agent_id else ""
    body = f"<xml><ToUserName>{_cdata(receive_id)}</ToUserName><Encrypt>{_cdata(encrypted)}</Encrypt>{agent}</xml>"
    return body, encrypted


def parse_xml(text: str) -> dict[str, str]:
    """The root's direct children as tag -> stripped text (the first of a repeated tag).

    ``malformed`` for what is not such a document: not XML, a root other than ``<xml>``, any
    DOCTYPE or entity declaration (entity expansion, billion laughs), more than 64 KiB or 64
    elements (a list's ``<Item>``s apart: at most 2,000, read as their comma-joined texts), or
    nesting deeper than WeCom's own messages.
    """
    from xml.etree import ElementTree  # with the first callback, not at import

    try:
        too_long = len(text) > MAX_XML_BYTES or len(text.encode()) > MAX_XML_BYTES
    except UnicodeEncodeError:  # a lone surrogate: not text any XML parser takes
        raise CallbackCryptoError("malformed") from None
    if too_long:
        raise CallbackCryptoError("malformed")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:  # neither WeCom nor WeChat sends a DTD
        raise CallbackCryptoError("malformed")
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 - no DTD, so no entity, gets this far
    except ElementTree.ParseError:
        raise CallbackCryptoError("malformed") from None
    if root.tag != "xml":
        raise CallbackCryptoError("malformed")
    count, items, level = 1, 0, [root]
    for _ in range(MAX_XML_DEPTH):
        level = [child for element in level for child in element]
        listed = sum(1 for child in level if child.tag == LIST_ITEM)
        count, items = count + len(level) - listed, items + listed
        if count > MAX_XML_ELEMENTS or items > MAX_XML_LIST_ITEMS:
            raise CallbackCryptoError("malformed")
    if any(len(element) for element in level):
        raise CallbackCryptoError("malformed")
    fields: dict[str, str] = {}
    for child in root:
        if len(child) and all(item.tag == LIST_ITEM for item in child):
            # A list (a group's MemChangeList): its items' texts, comma-joined.
            fields.setdefault(str(child.tag), ",".join((item.text or "").strip() for item in child))
        else:
            fields.setdefault(str(child.tag), (child.text or "").strip())
    return fields
