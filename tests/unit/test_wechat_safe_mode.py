"""WeChat's official-account callback in safe mode (安全模式): an app registered with an
EncodingAESKey takes encrypted calls only, each signed with ``msg_signature`` and encrypted for its
app id; a message that passes becomes a case message exactly as a plaintext one does, and a call
that fails any check is a 401 that records nothing.

"Records nothing" is proven by the message id: each refused call carries the MsgId that a good call
sends afterwards, and WeChat's MsgId is recorded once. Had a refused call been recorded, the good
one would be dropped as its retry and the case would hold the refused call's text."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

from services.cases.logic.wechat_callback import REPLAY_WINDOW_SECONDS, signature
from shared import wecom_crypto
from tests.unit.conftest import Client, eventually
from tests.unit.test_case_channels import KEYWORDS, TOKEN, cases_of, xml

AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"  # WeCom's published sample key (any 43 will do)


def register_safe(client: Client, tenant: str) -> tuple[str, str]:
    admin = client.staff_token(tenant)
    app_id = f"wx{tenant}"
    body = {"token": TOKEN, "kind": "wechat_official_account", "encoding_aes_key": AES_KEY}
    answer = client.put(f"/v1/channels/wechat/{app_id}", json_body=body, token=admin)
    assert answer.status == 200
    assert answer.json == {"app_id": app_id, "kind": "wechat_official_account"}  # the key is never returned
    assert client.put("/v1/case-settings", json_body=KEYWORDS, token=admin).status == 200
    return admin, app_id


def post_safe(
    client: Client,
    app_id: str,
    message: bytes,
    *,
    receive_id: str | None = None,
    stamp: int | None = None,
    tamper: bool = False,
) -> Any:
    """POST ``message`` as WeChat does in safe mode (both signatures in the query, as WeChat sends)."""
    body, encrypted = wecom_crypto.callback_body(AES_KEY, receive_id or app_id, message.decode())
    timestamp, nonce = str(int(time.time()) if stamp is None else stamp), "n0nce"
    msg_signature = wecom_crypto.signature(TOKEN, timestamp, nonce, encrypted)
    if tamper:
        msg_signature = ("0" if msg_signature[0] != "0" else "1") + msg_signature[1:]
    query = {
        "signature": signature(TOKEN, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": "o-safe",
        "encrypt_type": "aes",
        "msg_signature": msg_signature,
    }
    path = f"/v1/channels/wechat/{app_id}/messages?{urllib.parse.urlencode(query)}"
    return client.post(path, raw=body.encode(), headers={"Content-Type": "text/xml"})


def thread_of(client: Client, admin: str, case_id: str) -> list[str]:
    return [m["body"] for m in client.get(f"/v1/cases/{case_id}", token=admin).json["messages"]]


def test_a_safe_mode_message_opens_a_case_as_a_plaintext_one_does(client: Client, tenant: str) -> None:
    admin, app_id = register_safe(client, tenant)
    answer = post_safe(client, app_id, xml("o-safe", "我要投诉 杯子有质量问题", "5001"))
    assert (answer.status, answer.body) == (200, b"success")
    opened = eventually(lambda: cases_of(client, admin))
    assert [(c["type"], c["intake"], c["channel"]) for c in opened] == [
        ("complaint", "wechat", "wechat_official_account")
    ]
    assert post_safe(client, app_id, xml("o-safe", "在吗", "5002")).status == 200
    assert post_safe(client, app_id, xml("o-safe", "在吗", "5002")).status == 200  # WeChat's retry
    eventually(lambda: len(thread_of(client, admin, opened[0]["case_id"])) == 2)
    assert thread_of(client, admin, opened[0]["case_id"]) == ["我要投诉 杯子有质量问题", "在吗"]


def test_refused_safe_mode_calls_are_401_and_record_nothing(client: Client, tenant: str) -> None:
    admin, app_id = register_safe(client, tenant)
    forged = xml("o-safe", "我要投诉 forged", "6001")

    tampered = post_safe(client, app_id, forged, tamper=True)
    assert tampered.status == 401
    assert "reason" not in tampered.json  # as an unknown app or a bad plaintext signature

    other_app = post_safe(client, app_id, forged, receive_id="wx-another-app")
    assert (other_app.status, other_app.json["reason"]) == (401, "bad_receive_id")

    stale = post_safe(client, app_id, forged, stamp=int(time.time()) - REPLAY_WINDOW_SECONDS - 5)
    assert (stale.status, stale.json["reason"]) == (401, "stale_timestamp")

    # A plaintext call to a safe-mode app: signed with the token (WeChat left in plaintext mode) ...
    stamp = str(int(time.time()))
    plain = {"signature": signature(TOKEN, stamp, "n0nce"), "timestamp": stamp, "nonce": "n0nce"}
    path = f"/v1/channels/wechat/{app_id}/messages?{urllib.parse.urlencode(plain)}"
    plaintext = client.post(path, raw=forged, headers={"Content-Type": "text/xml"})
    assert (plaintext.status, plaintext.json["reason"]) == (401, "encryption_required")
    # ... or claiming safe mode with no msg_signature, or with a body that is not WeChat's envelope.
    aes = {**plain, "encrypt_type": "aes"}
    path = f"/v1/channels/wechat/{app_id}/messages?{urllib.parse.urlencode(aes)}"
    assert client.post(path, raw=forged, headers={"Content-Type": "text/xml"}).status == 401
    aes["msg_signature"] = wecom_crypto.signature(TOKEN, stamp, "n0nce", "")
    path = f"/v1/channels/wechat/{app_id}/messages?{urllib.parse.urlencode(aes)}"
    assert client.post(path, raw=forged, headers={"Content-Type": "text/xml"}).status == 401

    # The same MsgId, now sent properly, is the first of its id: nothing above was recorded.
    assert post_safe(client, app_id, xml("o-safe", "我要投诉 real", "6001")).status == 200
    opened = eventually(lambda: cases_of(client, admin))
    assert thread_of(client, admin, opened[0]["case_id"]) == ["我要投诉 real"]
    assert len(opened) == 1


def test_the_url_check_stays_plain_and_a_key_is_checked_and_can_be_dropped(client: Client, tenant: str) -> None:
    admin, app_id = register_safe(client, tenant)
    stamp = str(int(time.time()))
    query = {"signature": signature(TOKEN, stamp, "n0nce"), "timestamp": stamp, "nonce": "n0nce", "echostr": "e-42"}
    check = client.get(f"/v1/channels/wechat/{app_id}/messages?{urllib.parse.urlencode(query)}")
    assert (check.status, check.body) == (200, b"e-42")

    short = {"token": TOKEN, "encoding_aes_key": AES_KEY[:-1]}
    refused = client.put(f"/v1/channels/wechat/{app_id}", json_body=short, token=admin)
    assert refused.status == 422
    assert AES_KEY[:-1] not in refused.body.decode()  # not echoed back

    # Registered again without a key: the app takes plaintext calls again.
    assert client.put(f"/v1/channels/wechat/{app_id}", json_body={"token": TOKEN}, token=admin).status == 200
    plain = {k: v for k, v in query.items() if k != "echostr"}
    path = f"/v1/channels/wechat/{app_id}/messages?{urllib.parse.urlencode(plain)}"
    assert client.post(path, raw=xml("o-plain", "我要投诉", "7001"), headers={"Content-Type": "text/xml"}).status == 200
    assert eventually(lambda: cases_of(client, admin))
