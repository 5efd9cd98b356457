"""Complaint → case → reply → CSAT, end to end on the local stack over HTTP, and assignment under
concurrency."""

from __future__ import annotations

import hashlib
import time
import urllib.parse
import uuid
from collections import Counter
from typing import Any

import pytest

from tests.e2e.conftest import Http, wait_for
from tests.e2e.test_points_e2e import at_once

pytestmark = pytest.mark.e2e


class Desk:
    def __init__(self, http: Http, agents: dict[str, int]) -> None:
        self.http = http
        self.tenant = f"e2e-{uuid.uuid4().hex[:8]}"
        self.admin = http.staff_token(self.tenant)
        complaints = {"name": "投诉", "rank": 10, "rules": [{"types": ["complaint"]}]}
        assert self.call("PUT", "/v1/queues/complaints", complaints)[0] == 200
        assert self.call("PUT", "/v1/queues/general", {"name": "General", "is_default": True})[0] == 200
        for staff_id, capacity in agents.items():
            profile = {"queues": ["complaints"], "availability": "online", "capacity": capacity}
            assert self.call("PUT", f"/v1/agents/{staff_id}", profile)[0] == 200

    def call(self, method: str, path: str, body: Any = None, token: str | None = None, **extra: Any) -> tuple[int, Any]:
        return self.http.call(method, path, body, token or self.admin, **extra)

    def case(self, case_id: str) -> dict[str, Any]:
        status, body = self.call("GET", f"/v1/cases/{case_id}")
        assert status == 200, body
        return dict(body)


def test_a_complaint_goes_from_the_mini_program_to_an_agent_and_back_to_a_rating(local_stack: Http) -> None:
    desk = Desk(local_stack, {"alice": 5})
    status, member = local_stack.call(
        "POST", "/v1/auth/wechat", {"tenant_id": desk.tenant, "app_id": "wx-e2e", "code": "dev:o-e2e-case"}
    )
    assert status == 200, member
    me = member["token"]
    complaint = {"type": "complaint", "subject": "杯子漏水", "description": "第一次用就漏"}
    status, filed = local_stack.call("POST", "/v1/me/cases", complaint, me)
    assert status == 201, filed
    case_id = filed["case_id"]
    case = desk.case(case_id)
    assert (case["queue_id"], case["assignee"], case["status"]) == ("complaints", "alice", "assigned")

    alice = local_stack.staff_token(desk.tenant, "alice", ("agent",))
    status, reply = desk.call("POST", f"/v1/cases/{case_id}/messages", {"body": "非常抱歉 给您换新"}, alice)
    assert status == 201, reply
    query = urllib.parse.urlencode({"app_id": "wx-e2e", "openid": "o-e2e-case"})
    sent = wait_for(lambda: desk.call("GET", f"/v1/local/channel-deliveries?{query}")[1]["items"])
    assert [item["body"] for item in sent] == ["非常抱歉 给您换新"]
    assert desk.call("PATCH", f"/v1/cases/{case_id}", {"status": "waiting_on_customer"}, alice)[0] == 200

    assert local_stack.call("POST", f"/v1/me/cases/{case_id}/messages", {"body": "好的 谢谢"}, me)[0] == 201
    assert desk.case(case_id)["status"] == "in_progress"

    assert desk.call("PATCH", f"/v1/cases/{case_id}", {"status": "resolved"}, alice)[0] == 200
    thread = local_stack.call("GET", f"/v1/me/cases/{case_id}", token=me)[1]
    assert thread["status"] == "resolved"
    assert [m["body"] for m in thread["messages"]] == ["非常抱歉 给您换新", "好的 谢谢"]
    assert local_stack.call("POST", f"/v1/me/cases/{case_id}/csat", {"rating": 5, "comment": "快"}, me)[0] == 201
    assert local_stack.call("POST", f"/v1/me/cases/{case_id}/csat", {"rating": 5}, me)[0] == 409


def test_thirty_cases_at_once_never_overfill_an_agent_or_assign_twice(local_stack: Http) -> None:
    desk = Desk(local_stack, {"x": 7, "y": 7, "z": 7})
    opened: list[str] = []

    def open_one() -> int:
        status, body = desk.call("POST", "/v1/cases", {"type": "complaint", "subject": "s"})
        opened.append(body["case_id"])
        return status

    assert at_once([open_one for _ in range(30)]) == [201] * 30
    holders = Counter(desk.case(case_id)["assignee"] for case_id in opened)
    assert holders == Counter({"x": 7, "y": 7, "z": 7, None: 9})
    agents = {a["staff_id"]: a["open_cases"] for a in desk.call("GET", "/v1/agents")[1]["items"]}
    assert agents == {"x": 7, "y": 7, "z": 7}


def test_a_wechat_keyword_message_opens_a_case_and_a_forged_one_does_not(local_stack: Http) -> None:
    desk = Desk(local_stack, {"alice": 5})
    app_id = f"wx{desk.tenant}"
    assert desk.call("PUT", f"/v1/channels/wechat/{app_id}", {"token": "e2etoken"})[0] == 200
    rules = {"version": 0, "keyword_rules": [{"keywords": ["投诉"]}]}
    assert desk.call("PUT", "/v1/case-settings", rules)[0] == 200

    def post(token: str, msg_id: str) -> int:
        stamp, nonce = str(int(time.time())), "abc"
        sign = hashlib.sha1("".join(sorted((token, stamp, nonce))).encode()).hexdigest()  # noqa: S324
        query = urllib.parse.urlencode({"signature": sign, "timestamp": stamp, "nonce": nonce})
        body = (
            f"<xml><FromUserName><![CDATA[o-wx]]></FromUserName><CreateTime>{stamp}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[我要投诉]]></Content><MsgId>{msg_id}</MsgId></xml>"
        )
        path = f"/v1/channels/wechat/{app_id}/messages?{query}"
        return local_stack.call("POST", path, raw=body.encode(), headers={"Content-Type": "text/xml"})[0]

    assert post("forged", "1") == 401
    assert post("e2etoken", "2") == 200
    opened = wait_for(lambda: desk.call("GET", "/v1/cases")[1]["items"])
    assert [(c["intake"], c["assignee"]) for c in opened] == [("wechat", "alice")]
