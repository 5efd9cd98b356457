"""WeCom's callback door: a tenant's corp set up with write-only secrets, the URL check, and
encrypted events verified, deduplicated and queued — or refused (401, nothing stored) or answered
``success`` and recorded with a reason, as WeCom expects of a message it must not retry."""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any

import pytest

from services.wecom.dal import callbacks as callbacks_dal
from services.wecom.dal.table import table
from shared import dynamo, wecom_crypto
from tests.unit.conftest import Answer, Client

TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


def corp_of(tenant: str) -> str:
    return f"ww{tenant}"  # one corp per test tenant: a corp belongs to one tenant


def set_up(client: Client, tenant: str, corp: str | None = None, **extra: Any) -> Answer:
    admin = client.staff_token(tenant, "admin1", ("admin",))
    body = {
        "corp_id": corp or corp_of(tenant),
        "token": TOKEN,
        "encoding_aes_key": AES_KEY,
        "agent_id": 1000002,
        **extra,
    }
    return client.put("/v1/wecom/settings", json_body=body, token=admin)


def add_message(tenant: str, staff: str = "zhangsan", customer: str | None = None, **fields: str) -> str:
    values = {
        "ToUserName": corp_of(tenant),
        "FromUserName": "sys",
        "CreateTime": str(int(time.time())),
        "MsgType": "event",
        "Event": "change_external_contact",
        "ChangeType": "add_external_contact",
        "UserID": staff,
        "ExternalUserID": customer or f"wm{uuid.uuid4().hex[:16]}",
        **fields,
    }
    return "<xml>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in values.items()) + "</xml>"


def deliver(
    client: Client,
    tenant: str,
    message: str,
    *,
    receive_id: str | None = None,
    token: str = TOKEN,
    timestamp: int | None = None,
    tamper: bool = False,
) -> Answer:
    body, encrypted = wecom_crypto.callback_body(AES_KEY, receive_id or corp_of(tenant), message)
    stamp, nonce = str(timestamp or int(time.time())), uuid.uuid4().hex[:10]
    signed = wecom_crypto.signature(token, stamp, nonce, encrypted)
    if tamper:
        signed = signed[:-1] + ("0" if signed[-1] != "0" else "1")
    path = f"/v1/channels/wecom/{tenant}/callback?msg_signature={signed}&timestamp={stamp}&nonce={nonce}"
    return client.post(path, raw=body.encode(), headers={"Content-Type": "text/xml"})


def queued(tenant: str, message: str) -> bool:
    digest = hashlib.sha256(message.encode()).hexdigest()
    return dynamo.get_item(table(), {"pk": f"T#{tenant}#CALLBACK#{digest}", "sk": "CALLBACK"}) is not None


def test_a_corp_is_set_up_with_write_only_secrets(
    client: Client, tenant: str, caplog: pytest.LogCaptureFixture
) -> None:
    answer = set_up(client, tenant, secrets={"contact": "contact-secret-value", "agent": "agent-secret-value"})
    assert answer.status == 200, answer.body
    for leaked in (TOKEN, AES_KEY, "contact-secret-value", "agent-secret-value"):
        assert leaked.encode() not in answer.body
        assert leaked not in caplog.text
    [corp] = answer.json["corps"]
    assert corp["secrets_set"] == ["agent", "contact"]
    assert corp["callback_path"] == f"/v1/channels/wecom/{tenant}/callback"
    # A later set-up keeps what it leaves out, and adds what it gives.
    again = set_up(client, tenant, token=None, encoding_aes_key=None, secrets={"directory": "dir-secret"})
    assert again.status == 200, again.body
    assert again.json["corps"][0]["secrets_set"] == ["agent", "contact", "directory"]
    admin = client.staff_token(tenant, "admin1", ("admin",))
    read = client.get("/v1/wecom/settings", token=admin)
    assert read.status == 200
    assert b"dir-secret" not in read.body
    assert TOKEN.encode() not in read.body


def test_a_first_set_up_needs_token_and_key_and_a_corp_belongs_to_one_tenant(client: Client, tenant: str) -> None:
    missing = set_up(client, tenant, token=None)
    assert missing.status == 422
    assert [e["loc"] for e in missing.json["errors"]] == [["body", "token"]]
    assert set_up(client, tenant).status == 200
    taken = set_up(client, f"{tenant}-other", corp=corp_of(tenant))
    assert taken.status == 409
    assert taken.json["reason"] == "corp_taken"
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.get("/v1/wecom/settings", token=guide).status == 403


def test_the_url_check_answers_the_decrypted_echostr(client: Client, tenant: str) -> None:
    set_up(client, tenant)
    echostr = wecom_crypto.encrypt(AES_KEY, "echo-1234567890", corp_of(tenant))
    stamp, nonce = str(int(time.time())), "n1"
    signed = wecom_crypto.signature(TOKEN, stamp, nonce, echostr)
    path = f"/v1/channels/wecom/{tenant}/callback"
    query = f"msg_signature={signed}&timestamp={stamp}&nonce={nonce}&echostr="
    from urllib.parse import quote

    answer = client.get(f"{path}?{query}{quote(echostr)}")
    assert answer.status == 200
    assert answer.body == b"echo-1234567890"
    tampered = client.get(f"{path}?{query.replace(signed, '0' * 40)}{quote(echostr)}")
    assert tampered.status == 401


def test_a_verified_event_is_queued_once_however_often_wecom_delivers_it(client: Client, tenant: str) -> None:
    set_up(client, tenant)
    message = add_message(tenant)
    for _ in range(3):
        answer = deliver(client, tenant, message)
        assert answer.status == 200
        assert answer.body == b"success"
    assert queued(tenant, message)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"tamper": True}, "signature"),
        ({"receive_id": "ww-another-corp"}, "corp"),
        ({"timestamp": int(time.time()) - 301}, "stale"),
        ({"token": "NotTheToken"}, "token"),
    ],
)
def test_a_forged_or_stale_callback_is_refused_and_nothing_is_stored(
    client: Client, tenant: str, change: dict[str, Any], reason: str
) -> None:
    set_up(client, tenant)
    message = add_message(tenant)
    answer = deliver(client, tenant, message, **change)
    assert answer.status == 401, (reason, answer.body)
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert not queued(tenant, message)
    assert callbacks_dal.rejected(tenant) == []


def test_what_cannot_be_used_is_answered_success_and_recorded_with_a_reason(client: Client, tenant: str) -> None:
    set_up(client, tenant)
    unknown = add_message(tenant, ChangeType="something_new")
    assert deliver(client, tenant, unknown).body == b"success"
    assert deliver(client, tenant, "<xml><not closed").body == b"success"
    assert not queued(tenant, unknown)
    reasons = sorted(item["reason"] for item in callbacks_dal.rejected(tenant))
    assert reasons == ["malformed message: malformed", "unhandled event 'change_external_contact/something_new'"]
    # Bodies that are not WeCom's, and tenants with no corp: answered, nothing stored anywhere.
    path = f"/v1/channels/wecom/{tenant}/callback?msg_signature=x&timestamp=1&nonce=n"
    assert client.post(path, raw=b"not xml", headers={"Content-Type": "text/xml"}).body == b"success"
    stranger = f"{tenant}-unknown"
    assert deliver(client, stranger, add_message(stranger)).body == b"success"
    assert callbacks_dal.rejected(stranger) == []
    assert len(callbacks_dal.rejected(tenant)) == 2
