"""Cases from outside: WeChat's signed message callback with keyword rules and knowledge-base
auto-replies, the knowledge base's Chinese search, and partners' after-sales requests."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

from services.cases.logic.wechat_callback import signature
from tests.unit.conftest import Client, eventually
from tests.unit.test_points_api import publish

TOKEN = "tok3n"
KEYWORDS = {"version": 0, "keyword_rules": [{"keywords": ["投诉", "退款", "质量问题"], "type": "complaint"}]}


def register(client: Client, tenant: str) -> tuple[str, str]:
    admin = client.staff_token(tenant)
    app_id = f"wx{tenant}"
    body = {"token": TOKEN, "kind": "wechat_official_account"}
    assert client.put(f"/v1/channels/wechat/{app_id}", json_body=body, token=admin).status == 200
    assert client.put("/v1/case-settings", json_body=KEYWORDS, token=admin).status == 200
    return admin, app_id


def signed(app_id: str, *, token: str = TOKEN, **extra: str) -> str:
    stamp, nonce = str(int(time.time())), "n0nce"
    query = {"signature": signature(token, stamp, nonce), "timestamp": stamp, "nonce": nonce, **extra}
    return f"/v1/channels/wechat/{app_id}/messages?{urllib.parse.urlencode(query)}"


def xml(openid: str, content: str, msg_id: str) -> bytes:
    return (
        f"<xml><ToUserName><![CDATA[gh_brand]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode()


def send(client: Client, app_id: str, openid: str, content: str, msg_id: str, **signing: Any) -> int:
    answer = client.post(
        signed(app_id, **signing), raw=xml(openid, content, msg_id), headers={"Content-Type": "text/xml"}
    )
    return answer.status


def cases_of(client: Client, admin: str) -> list[dict[str, Any]]:
    return list(client.get("/v1/cases", token=admin).json["items"])


def test_the_callback_url_check_echoes_only_for_a_good_signature(client: Client, tenant: str) -> None:
    _, app_id = register(client, tenant)
    good = client.get(signed(app_id, echostr="echo-123"))
    assert good.status == 200
    assert good.body == b"echo-123"
    assert client.get(signed(app_id, token="wrong", echostr="x")).status == 401
    assert client.get(signed("wx-unregistered", echostr="x")).status == 401


def test_a_bad_signature_is_refused_and_opens_nothing(client: Client, tenant: str) -> None:
    admin, app_id = register(client, tenant)
    assert send(client, app_id, "o-bad", "我要投诉", "1001", token="forged") == 401
    unsigned = client.post(f"/v1/channels/wechat/{app_id}/messages", raw=xml("o-bad", "我要投诉", "1002"))
    assert unsigned.status == 401
    time.sleep(1.0)
    assert cases_of(client, admin) == []


def test_a_keyword_message_opens_a_case_and_the_next_messages_join_it_once_each(client: Client, tenant: str) -> None:
    admin, app_id = register(client, tenant)
    assert send(client, app_id, "o-kw", "我要投诉 杯子有质量问题", "2001") == 200
    opened = eventually(lambda: cases_of(client, admin))
    assert [(c["type"], c["intake"], c["channel"]) for c in opened] == [
        ("complaint", "wechat", "wechat_official_account")
    ]
    case_id = opened[0]["case_id"]
    assert send(client, app_id, "o-kw", "在吗", "2002") == 200
    assert send(client, app_id, "o-kw", "在吗", "2002") == 200  # WeChat's retry of the same MsgId

    def thread() -> list[str]:
        return [m["body"] for m in client.get(f"/v1/cases/{case_id}", token=admin).json["messages"]]

    eventually(lambda: len(thread()) == 2)
    time.sleep(0.5)
    assert thread() == ["我要投诉 杯子有质量问题", "在吗"]
    assert len(cases_of(client, admin)) == 1

    # Resolved, then the member writes again: the same case is reopened.
    assert client.put("/v1/agents/s1", json_body={}, token=admin).status == 200
    resolve = {"assignee": "s1", "status": "resolved"}
    assert client.patch(f"/v1/cases/{case_id}", json_body=resolve, token=admin).status == 200
    assert send(client, app_id, "o-kw", "还是漏水", "2003") == 200
    eventually(lambda: client.get(f"/v1/cases/{case_id}", token=admin).json["status"] == "in_progress")
    assert len(cases_of(client, admin)) == 1


def test_a_faq_message_gets_the_articles_auto_reply_through_the_channel(client: Client, tenant: str) -> None:
    admin, app_id = register(client, tenant)
    article = {
        "title": "如何开具发票",
        "body": "在订单页点击申请发票即可。",
        "keywords": ["发票"],
        "auto_reply": True,
        "answer": "您好 开发票请在订单页点击 申请发票。",
    }
    assert client.post("/v1/kb/articles", json_body=article, token=admin).status == 201
    assert send(client, app_id, "o-faq", "请问怎么开发票", "3001") == 200
    path = f"/v1/local/channel-deliveries?app_id={app_id}&openid=o-faq"
    sent = eventually(lambda: client.get(path, token=admin).json["items"])
    assert [d["body"] for d in sent] == [article["answer"]]
    assert send(client, app_id, "o-faq", "今天天气不错", "3002") == 200
    time.sleep(1.0)
    assert len(client.get(path, token=admin).json["items"]) == 1
    assert cases_of(client, admin) == []


def test_an_app_belongs_to_one_tenant(client: Client, tenant: str) -> None:
    _, app_id = register(client, tenant)
    other = client.staff_token(f"{tenant}-b")
    taken = client.put(f"/v1/channels/wechat/{app_id}", json_body={"token": "other1"}, token=other)
    assert taken.status == 409


def test_the_knowledge_base_finds_chinese_words_inside_titles_and_suggests_for_a_case(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    articles: list[dict[str, Any]] = [
        {"title": "如何申请退款", "body": "七天无理由退货 并原路退款。", "category": "售后"},
        {"title": "会员积分规则", "body": "每消费一元得一分。", "keywords": ["积分"]},
        {"title": "Shipping times", "body": "Orders ship within 48 hours.", "kind": "canned_reply"},
    ]
    ids = [client.post("/v1/kb/articles", json_body=a, token=admin).json["article_id"] for a in articles]
    found = client.get(f"/v1/kb/search?q={urllib.parse.quote('退款')}", token=admin).json["items"]
    assert [hit["article"]["title"] for hit in found] == ["如何申请退款"]
    assert client.get("/v1/kb/search?q=shipping", token=admin).json["items"][0]["article"]["article_id"] == ids[2]
    assert client.get(f"/v1/kb/search?q={urllib.parse.quote('天气')}", token=admin).json["items"] == []

    case = client.post("/v1/cases", json_body={"type": "inquiry", "subject": "我想退款"}, token=admin).json
    suggested = client.get(f"/v1/cases/{case['case_id']}/suggestions", token=admin).json["items"]
    assert suggested[0]["article"]["article_id"] == ids[0]

    changed = client.put(f"/v1/kb/articles/{ids[1]}", json_body=articles[1] | {"title": "积分怎么算"}, token=admin)
    assert changed.status == 200
    assert changed.json["version"] == 2
    assert client.delete(f"/v1/kb/articles/{ids[2]}", token=admin).status == 204
    assert client.get(f"/v1/kb/articles/{ids[2]}", token=admin).status == 404
    assert len(client.get("/v1/kb/articles", token=admin).json["items"]) == 2
    assert client.get(f"/v1/kb/articles/{ids[0]}", token=client.staff_token(f"{tenant}-b")).status == 404


def test_a_partner_after_sales_request_opens_one_case_the_buyer_sees(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    member = client.member_login(tenant, "dev:o-after")
    request = {
        "request_id": "as-77",
        "order_id": "o-77",
        "contact_id": member["contact_id"],
        "subject": "屏幕有划痕",
        "description": "收到时就有",
    }
    publish(tenant, "AfterSalesRequested", request)
    publish(tenant, "AfterSalesRequested", request)  # sent again as a new event
    opened = eventually(lambda: cases_of(client, admin))
    time.sleep(1.0)
    opened = cases_of(client, admin)
    assert [(c["type"], c["intake"], c["order_id"]) for c in opened] == [("after_sales", "partner", "o-77")]
    mine = client.get("/v1/me/cases", token=member["token"]).json["items"]
    assert [c["case_id"] for c in mine] == [opened[0]["case_id"]]
