"""The fake WeCom answers as WeCom does where the service depends on it (welcome codes once and
within 20 s, transfers of at most 100 customers and twice per 90 days, tokens that expire with
business time), emits callbacks that verify and decrypt with WeCom's scheme, and is driven over
its local-only routes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest

from local import dev_clock, fake_wecom
from local.fake_wecom import FAKE_WECOM_SERVICE, FakeWeCom
from local.gateway import LocalGateway
from local.stack import LocalStack
from shared import wecom_crypto
from tests.unit.conftest import Client, eventually

CORP = "ww-fake-corp"
TOKEN = "CallbackToken1"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"  # WeCom's sample EncodingAESKey


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    dev_clock.reset()
    yield
    dev_clock.reset()


@pytest.fixture
def fake() -> FakeWeCom:
    wecom = FakeWeCom()
    wecom.register_app(CORP, "contact", "contact-secret")
    wecom.register_app(CORP, "agent", "agent-secret")
    wecom.script_staff(CORP, "zhangsan", "张三")
    wecom.script_staff(CORP, "lisi", "李四")
    wecom.script_staff(CORP, "wangwu", "王五", status=5)
    return wecom


def token(fake: FakeWeCom, secret: str = "contact-secret") -> str:
    answer = fake.send("GET", "/cgi-bin/gettoken", {"corpid": CORP, "corpsecret": secret}, None)
    assert answer["errcode"] == 0, answer
    return str(answer["access_token"])


def post(fake: FakeWeCom, path: str, body: dict[str, Any], secret: str = "contact-secret") -> dict[str, Any]:
    return fake.send("POST", path, {"access_token": token(fake, secret)}, body)


def test_a_welcome_code_is_good_once_and_for_twenty_seconds(fake: FakeWeCom) -> None:
    first = fake.customer_adds(CORP, "zhangsan", "wm-1")
    welcome = {"welcome_code": first["WelcomeCode"], "text": {"content": "你好"}}
    assert post(fake, "/cgi-bin/externalcontact/send_welcome_msg", welcome)["errcode"] == 0
    assert post(fake, "/cgi-bin/externalcontact/send_welcome_msg", welcome)["errcode"] == 41051
    late = fake.customer_adds(CORP, "lisi", "wm-1")
    dev_clock.advance(21)
    late_welcome = {"welcome_code": late["WelcomeCode"], "text": {"content": "你好"}}
    assert post(fake, "/cgi-bin/externalcontact/send_welcome_msg", late_welcome)["errcode"] == 41051
    assert [w["userid"] for w in fake.welcomes(CORP)] == ["zhangsan"]


def test_a_transfer_takes_at_most_100_customers_and_a_customer_twice_in_90_days(fake: FakeWeCom) -> None:
    customers = [f"wm-{n}" for n in range(101)]
    for customer in customers:
        fake.customer_adds(CORP, "zhangsan", customer, welcome=False)
    path = "/cgi-bin/externalcontact/transfer_customer"
    too_many = {"handover_userid": "zhangsan", "takeover_userid": "lisi", "external_userid": customers}
    assert post(fake, path, too_many)["errcode"] == 40058
    assert fake.follow_users(CORP, "wm-0") == ["zhangsan"]  # nothing started

    def move(handover: str, takeover: str) -> int:
        body = {"handover_userid": handover, "takeover_userid": takeover, "external_userid": ["wm-0"]}
        answer = post(fake, path, body)
        assert answer["errcode"] == 0
        return int(answer["customer"][0]["errcode"])

    assert move("zhangsan", "lisi") == 0
    assert move("zhangsan", "lisi") == 40129  # still pending
    dev_clock.advance(86400)
    assert fake.follow_users(CORP, "wm-0") == ["lisi"]
    assert move("lisi", "zhangsan") == 0
    dev_clock.advance(86400)
    assert move("zhangsan", "lisi") == 40128  # a third time within 90 days
    assert move("lisi", "zhangsan") == 84061  # not lisi's customer any more
    departed = {"handover_userid": "zhangsan", "takeover_userid": "lisi", "external_userid": ["wm-1"]}
    assert post(fake, "/cgi-bin/externalcontact/resigned/transfer_customer", departed)["errcode"] == 40003


def test_a_group_transfer_moves_what_wecom_would_and_answers_the_rest_per_group(fake: FakeWeCom) -> None:
    fake.script_group(CORP, "wr-left", "离职群", "wangwu")
    fake.script_group(CORP, "wr-here", "在职群", "zhangsan")
    departed, in_service = (
        "/cgi-bin/externalcontact/groupchat/transfer",
        "/cgi-bin/externalcontact/groupchat/onjob_transfer",
    )

    def failures(path: str, chats: list[str], new_owner: str = "lisi") -> dict[str, int]:
        answer = post(fake, path, {"chat_id_list": chats, "new_owner": new_owner})
        assert answer["errcode"] == 0, answer
        return {row["chat_id"]: row["errcode"] for row in answer["failed_chat_list"]}

    assert failures(departed, ["wr-left", "wr-here", "wr-none"]) == {"wr-here": 90500, "wr-none": 90501}
    group = fake.corp(CORP).groups["wr-left"]
    assert group["owner"] == "lisi"
    assert "lisi" in {member["userid"] for member in group["member_list"]}  # the new owner joins
    assert failures(departed, ["wr-left"]) == {"wr-left": 90504}  # sent again: lisi owns it already
    fake.script_group(CORP, "wr-left2", "离职群2", "wangwu")
    assert failures(in_service, ["wr-left2", "wr-here"]) == {"wr-left2": 90502}
    assert fake.corp(CORP).groups["wr-here"]["owner"] == "lisi"
    assert post(fake, departed, {"chat_id_list": [], "new_owner": "lisi"})["errcode"] == 40058
    too_many = {"chat_id_list": [f"wr-{n}" for n in range(101)], "new_owner": "lisi"}
    assert post(fake, departed, too_many)["errcode"] == 40058
    assert post(fake, departed, {"chat_id_list": ["wr-left2"], "new_owner": "nobody"})["errcode"] == 60111
    assert post(fake, departed, {"chat_id_list": ["wr-left2"], "new_owner": "wangwu"})["errcode"] == 40003
    fake.fail_next(departed, 45009)
    assert post(fake, departed, {"chat_id_list": ["wr-left2"], "new_owner": "zhangsan"})["errcode"] == 45009
    assert fake.corp(CORP).groups["wr-left2"]["owner"] == "wangwu"  # a scripted fault changes nothing
    assert [call["errcode"] for call in fake.calls(CORP, departed)][-1] == 45009


def test_tokens_expire_with_business_time_and_are_checked_per_app(fake: FakeWeCom) -> None:
    issued = token(fake)
    assert token(fake) == issued  # the same token while it is valid
    query = {"access_token": issued, "userid": "zhangsan"}
    assert fake.send("GET", "/cgi-bin/externalcontact/list", query, None)["errcode"] == 84061
    message = {"touser": "zhangsan", "msgtype": "text", "agentid": 1, "text": {"content": "x"}}
    assert fake.send("POST", "/cgi-bin/message/send", {"access_token": issued}, message)["errcode"] == 48002
    assert fake.send("POST", "/cgi-bin/externalcontact/list", query, {})["errcode"] == 43001
    assert fake.send("GET", "/cgi-bin/externalcontact/list", {"access_token": "forged"}, None)["errcode"] == 40014
    bad = {"corpid": CORP, "corpsecret": "nope"}
    assert fake.send("GET", "/cgi-bin/gettoken", bad, None)["errcode"] == 40001
    dev_clock.advance(7200)
    assert fake.send("GET", "/cgi-bin/externalcontact/list", query, None)["errcode"] == 42001
    assert token(fake) != issued
    recorded = fake.calls(CORP, "gettoken")
    assert recorded
    assert all("corpsecret" not in call["query"] for call in recorded)


def test_an_emitted_callback_verifies_and_decrypts(fake: FakeWeCom) -> None:
    fields = {
        "Event": "change_external_contact",
        "ChangeType": "add_external_contact",
        "UserID": "zhangsan",
        "ExternalUserID": "wm-9",
        "State": "a]]>b",
        "WelcomeCode": "wc-1",
    }
    query, body = fake.callback("t-1", CORP, TOKEN, AES_KEY, fields, timestamp="1700000000", nonce="n1")
    envelope = wecom_crypto.parse_xml(body)
    assert envelope["ToUserName"] == CORP
    wecom_crypto.verify_signature(
        TOKEN, query["timestamp"], query["nonce"], envelope["Encrypt"], query["msg_signature"]
    )
    message = wecom_crypto.parse_xml(wecom_crypto.decrypt(AES_KEY, envelope["Encrypt"], CORP))
    assert {key: message[key] for key in fields} == fields
    assert message["MsgType"] == "event"
    assert message["CreateTime"].isdigit()
    with pytest.raises(wecom_crypto.CallbackCryptoError):
        wecom_crypto.verify_signature(
            "another-token", query["timestamp"], query["nonce"], envelope["Encrypt"], query["msg_signature"]
        )
    # The WelcomeCode a callback carried is one the fake honours (once).
    welcome = {"welcome_code": "wc-1", "text": {"content": "hi"}}
    assert post(fake, "/cgi-bin/externalcontact/send_welcome_msg", welcome)["errcode"] == 0


# Local-only routes -------------------------------------------------------------------------------
@pytest.fixture
def routes(monkeypatch: pytest.MonkeyPatch) -> tuple[LocalGateway, FakeWeCom]:
    isolated = FakeWeCom()  # the process's FAKE belongs to the in-process stack's other tests
    monkeypatch.setattr(fake_wecom, "FAKE", isolated)
    return LocalGateway((FAKE_WECOM_SERVICE,)), isolated


def call(gateway: LocalGateway, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    raw = json.dumps(body).encode() if body is not None else b""
    answer = gateway.handle(method, path, {"Content-Type": "application/json"}, raw)
    return answer.status, json.loads(answer.body) if answer.body else None


def test_the_routes_script_the_fake_and_show_its_calls(routes: tuple[LocalGateway, FakeWeCom]) -> None:
    gateway, fake = routes
    assert (
        call(
            gateway,
            "POST",
            "/v1/dev/wecom/staff",
            {"corp_id": CORP, "userid": "u1", "name": "甲", "department_ids": [3]},
        )[0]
        == 200
    )
    assert (
        call(gateway, "POST", "/v1/dev/wecom/customers", {"corp_id": CORP, "external_userid": "wm-1", "name": "乙"})[0]
        == 200
    )
    assert call(gateway, "POST", "/v1/dev/wecom/faults", {"path": "externalcontact/get", "errcode": 45009})[0] == 200
    status, code = call(gateway, "POST", "/v1/dev/wecom/login-codes", {"corp_id": CORP, "userid": "u1"})
    assert status == 200
    issued = fake.send("GET", "/cgi-bin/gettoken", {"corpid": CORP, "corpsecret": "s"}, None)["access_token"]
    assert (
        fake.send("GET", "/cgi-bin/auth/getuserinfo", {"access_token": issued, "code": code["code"]}, None)["userid"]
        == "u1"
    )
    assert (
        fake.send("GET", "/cgi-bin/externalcontact/get", {"access_token": issued, "external_userid": "wm-1"}, None)[
            "errcode"
        ]
        == 45009
    )
    status, listed = call(
        gateway, "GET", f"/v1/dev/wecom/calls?{urlencode({'corp_id': CORP, 'path': '/cgi-bin/auth/getuserinfo'})}"
    )
    assert status == 200
    assert [c["errcode"] for c in listed["calls"]] == [0]
    assert "access_token" not in listed["calls"][0]["query"]
    assert (
        call(gateway, "POST", "/v1/dev/wecom/staff", {"corp_id": CORP, "userid": "u2", "name": "x", "status": 3})[0]
        == 422
    )
    assert call(gateway, "POST", "/v1/dev/wecom/faults", {"path": "x", "errcode": 1, "http_status": 500})[0] == 422
    assert call(gateway, "POST", "/v1/dev/wecom/reset")[0] == 200
    assert fake.calls() == []


def test_the_callback_routes_deliver_to_the_stack_and_answer_what_it_said(
    routes: tuple[LocalGateway, FakeWeCom], monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway, fake = routes
    fake.script_staff(CORP, "zhangsan", "张三")
    creds = SimpleNamespace(corp_id=CORP, token=TOKEN, encoding_aes_key=AES_KEY)
    monkeypatch.setattr(fake_wecom, "_credentials", lambda tenant_id, corp_id: creds)
    delivered: list[tuple[str, dict[str, str], str]] = []

    def deliver(tenant_id: str, query: dict[str, str], body: str) -> tuple[int, str]:
        delivered.append((tenant_id, dict(query), body))
        return 200, "success"

    monkeypatch.setattr(fake_wecom, "deliver", deliver)
    status, answer = call(
        gateway,
        "POST",
        "/v1/dev/wecom/relationships",
        {"tenant_id": "t-1", "action": "add", "userid": "zhangsan", "external_userid": "wm-5", "state": "c-1"},
    )
    assert status == 200
    assert answer["status"] == 200
    assert answer["body"] == "success"
    assert answer["fields"]["ChangeType"] == "add_external_contact"
    assert answer["fields"]["State"] == "c-1"
    (_tenant, query, body) = delivered[0]
    encrypted = wecom_crypto.parse_xml(body)["Encrypt"]
    wecom_crypto.verify_signature(TOKEN, query["timestamp"], query["nonce"], encrypted, query["msg_signature"])
    assert fake.follow_users(CORP, "wm-5") == ["zhangsan"]
    status, answer = call(
        gateway,
        "POST",
        "/v1/dev/wecom/callbacks",
        {"tenant_id": "t-1", "fields": {"Event": "change_contact", "ChangeType": "update_user"}},
    )
    assert status == 200
    assert len(delivered) == 2
    assert (
        call(
            gateway,
            "POST",
            "/v1/dev/wecom/relationships",
            {"tenant_id": "t-1", "action": "add", "userid": "nobody", "external_userid": "wm-5"},
        )[0]
        == 422
    )
    assert call(gateway, "POST", "/v1/dev/wecom/callbacks", {"tenant_id": "t-1", "fields": {"1bad": "x"}})[0] == 422


def test_the_stack_and_its_client_run_against_the_installed_fake(
    stack: LocalStack, client: Client, tenant: str
) -> None:
    """Through the routes, as an end-to-end test drives it: the tenant's own secrets name the
    apps, the callback reaches the stack's callback route, and the service's welcome (sent by the
    real client) reaches the fake."""
    fake = fake_wecom.install()
    corp = f"ww{tenant.replace('-', '')}"
    admin = client.staff_token(tenant)
    settings = {
        "corp_id": corp,
        "agent_id": 1000002,
        "token": TOKEN,
        "encoding_aes_key": AES_KEY,
        "secrets": {"contact": "contact-secret", "agent": "agent-secret"},
    }
    assert client.put("/v1/wecom/settings", json_body=settings, token=admin).status == 200
    welcome = {"scope": "tenant", "message": {"text": "你好 {name}"}}
    assert client.put("/v1/wecom/welcome-messages", json_body=welcome, token=admin).status == 200
    gateway = LocalGateway((FAKE_WECOM_SERVICE,))
    assert (
        call(gateway, "POST", "/v1/dev/wecom/staff", {"corp_id": corp, "userid": "zhangsan", "name": "张三"})[0] == 200
    )
    customer = {"corp_id": corp, "external_userid": "wm-1", "name": "王芳"}
    assert call(gateway, "POST", "/v1/dev/wecom/customers", customer)[0] == 200
    add = {"tenant_id": tenant, "action": "add", "userid": "zhangsan", "external_userid": "wm-1"}
    status, answer = call(gateway, "POST", "/v1/dev/wecom/relationships", add)
    assert (status, answer["status"], answer["body"]) == (200, 200, "success")
    assert eventually(lambda: fake.welcomes(corp))[0]["text"] == "你好 王芳"
    assert {call["app"] for call in fake.calls(corp)} == {"contact"}
