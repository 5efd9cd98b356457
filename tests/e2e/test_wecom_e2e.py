"""The WeCom connector end to end on the local stack, through the fake WeCom: a customer adds a
guide through a WeCom channel code (a campaign code made a contact way, 联系我, at WeCom: the
customer scans its QR code, the add carries the code as its state) → one contact, attributed to
the campaign, points by its rule, one welcome — however often WeCom delivers the callback; the
customer then deletes the guide → one churn alert, the timeline and the lifecycle show it; a
removal delivered before its add ends removed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Http, wait_for

pytestmark = pytest.mark.e2e

FAKE = "/v1/dev/wecom"


def ok(answer: tuple[int, Any]) -> Any:
    status, body = answer
    assert status < 300, (status, body)
    return body


class Corp:
    """One tenant with a WeCom corp, a guide in its directory and a campaign code of that guide."""

    def __init__(self, http: Http) -> None:
        self.http = http
        self.tenant = f"e2e-wc-{uuid.uuid4().hex[:8]}"
        self.corp = f"ww{uuid.uuid4().hex[:12]}"
        self.admin = http.staff_token(self.tenant)
        settings = {
            "corp_id": self.corp,
            "agent_id": 1000002,
            "token": "E2eToken",
            "encoding_aes_key": "E" * 43,
            "secrets": {"contact": "e2e-contact", "agent": "e2e-agent"},
        }
        ok(http.call("PUT", "/v1/wecom/settings", settings, self.admin))
        welcome = {"scope": "tenant", "message": {"text": "{name} 你好, 我是你的专属导购"}}
        ok(http.call("PUT", "/v1/wecom/welcome-messages", welcome, self.admin))
        ok(http.call("POST", f"{FAKE}/staff", {"corp_id": self.corp, "userid": "guide-1", "name": "导购一"}))

    def code(self, points: int) -> tuple[str, str]:
        campaign = {
            "name": "企微拉新",
            "starts_at": "2026-01-01T00:00:00Z",
            "ends_at": "2036-01-01T00:00:00Z",
            "acquisition_points": points,
            "points_budget": 10_000,
        }
        campaign_id = ok(self.http.call("POST", "/v1/campaigns", campaign, self.admin))["campaign_id"]
        ok(self.http.call("POST", f"/v1/campaigns/{campaign_id}/activate", token=self.admin))
        body = {"channel": "wecom", "wecom": {"staff_ids": ["guide-1"], "daily_add_limit": 200}}
        code = ok(self.http.call("POST", f"/v1/campaigns/{campaign_id}/codes", body, self.admin))["code"]
        return campaign_id, str(code)

    def contact_way(self, code: str) -> str:
        """The code's contact way, once WeCom has made it: its config id."""

        def made() -> dict[str, Any] | None:
            status, way = self.http.call("GET", f"/v1/wecom/contact-ways/{code}", token=self.admin)
            return way if status == 200 and way["status"] == "ready" else None

        way = wait_for(made, 20)
        assert (way["serving"], way["qr_code"] is not None) == (["guide-1"], True)
        [asked] = self.calls("/cgi-bin/externalcontact/add_contact_way")
        assert (asked["body"]["state"], asked["body"]["user"]) == (code, ["guide-1"])
        return str(way["config_id"])

    def customer(self, name: str) -> str:
        external_userid = f"wm{uuid.uuid4().hex[:20]}"
        body = {"corp_id": self.corp, "external_userid": external_userid, "name": name}
        ok(self.http.call("POST", f"{FAKE}/customers", body))
        return external_userid

    def change(self, action: str, external_userid: str, config_id: str | None = None) -> dict[str, str]:
        """The customer adds or removes guide-1 (with ``config_id``: by scanning that contact way)."""
        body = {"tenant_id": self.tenant, "action": action, "userid": "guide-1", "external_userid": external_userid}
        scanned = {"config_id": config_id} if config_id else {}
        delivered = ok(self.http.call("POST", f"{FAKE}/relationships", {**body, **scanned}))
        assert delivered["status"] == 200, delivered
        return dict(delivered["fields"])

    def redeliver(self, fields: dict[str, str]) -> None:
        delivered = ok(self.http.call("POST", f"{FAKE}/callbacks", {"tenant_id": self.tenant, "fields": fields}))
        assert (delivered["status"], delivered["body"]) == (200, "success"), delivered

    def calls(self, path: str) -> list[dict[str, Any]]:
        return list(ok(self.http.call("GET", f"{FAKE}/calls?corp_id={self.corp}&path={path}"))["calls"])

    def relationships(self, query: str) -> list[dict[str, Any]]:
        return list(ok(self.http.call("GET", f"/v1/wecom/relationships?{query}", token=self.admin))["items"])


def test_an_add_through_a_wecom_code_acquires_rewards_and_welcomes_once_and_its_removal_alerts_once(
    local_stack: Http,
) -> None:
    corp = Corp(local_stack)
    campaign_id, code = corp.code(points=88)
    config_id = corp.contact_way(code)
    customer = corp.customer("王小红")

    fields = corp.change("add", customer, config_id=config_id)
    corp.redeliver(fields)
    corp.redeliver(fields)

    # One relationship, linked to the one contact the customer is.
    [pair] = wait_for(lambda: [p for p in corp.relationships("staff_id=guide-1") if p["contact_id"]], 20)
    contact_id = pair["contact_id"]
    assert (pair["status"], pair["state"], pair["generation"]) == ("active", code, 1)
    contact = ok(local_stack.call("GET", f"/v1/contacts/{contact_id}", token=corp.admin))
    assert contact["name"] == "王小红"
    assert contact["owners"] == {"*": "guide-1"}

    # Attributed to the campaign; its points awarded once.
    def points() -> int:
        return int(ok(local_stack.call("GET", f"/v1/contacts/{contact_id}/points", token=corp.admin))["balance"])

    def source() -> dict[str, str]:
        found = ok(local_stack.call("GET", f"/v1/contacts/{contact_id}", token=corp.admin))["source"]
        return dict(found or {})

    def funnel() -> tuple[int, int]:
        stats = ok(local_stack.call("GET", f"/v1/campaigns/{campaign_id}/stats", token=corp.admin))
        return int(stats["scans"]), int(stats["acquired"])

    assert wait_for(lambda: points() == 88, 20)
    assert wait_for(lambda: source().get("campaign_id") == campaign_id, 20)
    assert wait_for(lambda: funnel() == (1, 1), 20)

    # One welcome, with the customer's name.
    [welcome] = wait_for(lambda: corp.calls("/cgi-bin/externalcontact/send_welcome_msg"), 20)
    assert welcome["body"]["text"]["content"] == "王小红 你好, 我是你的专属导购"

    # The customer deletes the guide (流失): one alert, the timeline and the lifecycle show it.
    removal = corp.change("customer_deletes", customer)
    corp.redeliver(removal)
    [alert] = wait_for(lambda: corp.calls("/cgi-bin/message/send"), 20)
    assert alert["body"]["touser"] == "guide-1"

    def timeline() -> list[str]:
        items = ok(local_stack.call("GET", f"/v1/contacts/{contact_id}/timeline?limit=100", token=corp.admin))["items"]
        return [item["type"] for item in items]

    assert wait_for(lambda: {"WeComContactAdded", "WeComContactRemoved"} <= set(timeline()), 20)
    insight = ok(local_stack.call("GET", f"/v1/contacts/{contact_id}/insight", token=corp.admin))
    assert insight["lifecycle"] == "churned"
    [record] = ok(local_stack.call("GET", "/v1/wecom/deletions?staff_id=guide-1", token=corp.admin))["items"]
    assert (record["removed_by"], record["contact_id"]) == ("customer", contact_id)

    # Settled: still one of each.
    assert points() == 88
    assert len(corp.calls("/cgi-bin/externalcontact/send_welcome_msg")) == 1
    assert len(corp.calls("/cgi-bin/message/send")) == 1
    assert timeline().count("WeComContactAdded") == 1


def test_a_removal_delivered_before_its_add_ends_removed(local_stack: Http) -> None:
    corp = Corp(local_stack)
    customer = corp.customer("李四")
    added = corp.change("add", customer)
    removal = {**added, "ChangeType": "del_follow_user", "CreateTime": str(int(added["CreateTime"]) + 3)}
    removal.pop("WelcomeCode", None)
    corp.redeliver(removal)  # WeCom's two callbacks cross: the removal first…
    corp.redeliver(added)  # …then the add again
    assert wait_for(lambda: [p["status"] for p in corp.relationships("staff_id=guide-1")] == ["removed"], 20)
