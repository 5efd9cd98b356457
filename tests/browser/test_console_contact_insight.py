"""A contact's intelligence in the console, against the local stack: the timeline (facts in words,
the type filter), lifecycle and facts, the lead score's contributions, at desktop and phone width;
and the possible duplicates listed side by side, merged by a manager with a reason, gone from the
list, the kept contact showing what was merged into it."""

# ruff: noqa: RUF001  (the console speaks Chinese: its full-width punctuation is the text under test)

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in_console
from tests.e2e.conftest import Http


def eventually(read: Callable[[], Any], done: Callable[[Any], bool], seconds: float = 15) -> Any:
    """The events reach contacts asynchronously: read until ``done`` (the stack's delivery, not a fixed wait)."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def ok(answer: tuple[int, Any], status: int = 200) -> Any:
    assert answer[0] == status, answer
    return answer[1]


def test_a_contacts_timeline_insight_and_lead_score_read_in_words(
    console: Page, phone: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    ok(
        web_stack.call(
            "PUT",
            "/v1/lead-scoring",
            {
                "half_life_days": 30,
                "grades": {"A": 80, "B": 50, "C": 10},
                "rules": [
                    {"rule_id": "tagged", "name": "打标签加分", "on": "ContactTagged", "points": 10},
                    {"rule_id": "adjusted", "name": "积分调整加分", "on": "PointsAdjusted", "points": 5},
                ],
            },
            admin,
        )
    )
    phone_number = f"139{uuid.uuid4().int % 10**8:08d}"
    contact = ok(
        web_stack.call("POST", "/v1/contacts", {"name": "林小雨", "phone": phone_number, "tags": ["VIP"]}, admin), 201
    )
    contact_id = contact["contact_id"]
    ok(web_stack.call("PUT", f"/v1/contacts/{contact_id}/tags/{quote('母婴')}", None, admin))
    ok(
        web_stack.call(
            "POST", f"/v1/contacts/{contact_id}/points/adjustments", {"points": 500, "reason": "欢迎"}, admin
        ),
        201,
    )
    ok(
        web_stack.call(
            "POST", "/v1/cases", {"type": "inquiry", "subject": "咨询发票", "contact_id": contact_id}, admin
        ),
        201,
    )

    def types() -> set[str]:
        timeline = ok(web_stack.call("GET", f"/v1/contacts/{contact_id}/timeline", token=admin))
        return {entry["type"] for entry in timeline["items"]}

    seen = eventually(types, lambda found: {"ContactTagged", "PointsAdjusted", "CaseOpened"} <= found)
    assert {"ContactTagged", "PointsAdjusted", "CaseOpened"} <= seen, seen
    eventually(
        lambda: ok(web_stack.call("GET", f"/v1/contacts/{contact_id}/score", token=admin))["score"], lambda s: s >= 15
    )

    sign_in_console(console, tenant, "a1", ("admin",))
    console.goto(f"/console/contacts/{contact_id}")
    expect(console.get_by_role("heading", name="林小雨", level=1)).to_be_visible()

    timeline = console.get_by_role("region", name="行为时间线")
    expect(timeline.get_by_text("打上标签「母婴」")).to_be_visible()
    expect(timeline.get_by_text("积分调整 +500，余额 500")).to_be_visible()
    expect(timeline.get_by_text(re.compile(r"创建工单 .+（优先级：普通）"))).to_be_visible()

    insight = console.get_by_role("region", name="生命周期与 RFM")
    expect(insight.get_by_text("新客")).to_be_visible()
    expect(insight.get_by_text("近 365 天没有订单，不参与 RFM 评分")).to_be_visible()
    expect(insight.get_by_text("¥0.00")).to_be_visible()

    score = console.get_by_role("region", name="线索评分")
    expect(score.get_by_role("row").filter(has_text="打标签加分").first).to_contain_text("+10")
    expect(score.get_by_role("row").filter(has_text="积分调整加分")).to_contain_text("+5")
    expect(score.get_by_text("30 天")).to_be_visible()
    assert_accessible(console, context="contact: insight")

    # Only the tags: the filter asks the API for that type alone.
    timeline.get_by_label("事件类型").click()
    option = console.locator('.ant-select-item-option[title="打标签"]')
    expect(option).to_be_visible()
    option.click()
    expect(timeline.locator('.ant-select-selection-item[title="打标签"]')).to_be_visible()  # chosen
    console.keyboard.press("Escape")
    expect(console.locator(".ant-select-dropdown")).to_be_hidden()
    expect(timeline.get_by_text("积分调整 +500，余额 500")).to_have_count(0)
    expect(timeline.get_by_text("打上标签「母婴」")).to_be_visible()
    assert_accessible(console, context="contact: timeline filtered")

    sign_in_console(phone, tenant, "a1", ("admin",))
    phone.goto(f"/console/contacts/{contact_id}")
    expect(phone.get_by_role("region", name="行为时间线").get_by_text("打上标签「母婴」")).to_be_visible()
    expect(phone.get_by_role("region", name="线索评分").get_by_text("打标签加分").first).to_be_visible()
    assert_accessible(phone, context="contact on a phone")


def candidate_pair(web_stack: Http, admin: str, name: str) -> tuple[str, str]:
    """Two contacts sharing a phone but holding different unionids: a candidate, not a merge."""
    shared = f"139{uuid.uuid4().int % 10**8:08d}"
    first = ok(
        web_stack.call(
            "POST",
            "/v1/contacts",
            {"name": f"{name}（旧）", "phone": shared, "unionid": f"u-{uuid.uuid4().hex[:8]}"},
            admin,
        ),
        201,
    )
    second = ok(
        web_stack.call(
            "POST", "/v1/contacts", {"name": f"{name}（新）", "unionid": f"u-{uuid.uuid4().hex[:8]}"}, admin
        ),
        201,
    )
    refused = web_stack.call("PATCH", f"/v1/contacts/{second['contact_id']}", {"phone": shared}, admin)
    assert refused[0] == 409, refused
    return first["contact_id"], second["contact_id"]


def test_a_manager_merges_possible_duplicates_side_by_side(
    console: Page, phone: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    older, newer = candidate_pair(web_stack, admin, "王芳")
    manager = web_stack.staff_token(tenant, "m1", ("manager",))
    assert len(ok(web_stack.call("GET", "/v1/contacts/merge-candidates", token=manager))["items"]) == 1

    # On a phone: the pair, one profile above the other.
    sign_in_console(phone, tenant, "m1", ("manager",))
    phone.goto("/console/contacts")
    phone.get_by_role("button", name="疑似重复客户").click()
    drawer = phone.get_by_role("dialog")
    expect(drawer.get_by_role("heading", name="共享手机号，冲突：unionid")).to_be_visible()
    expect(drawer.get_by_role("link", name="王芳（新）")).to_be_visible()
    assert_accessible(phone, context="merge candidates on a phone")

    sign_in_console(console, tenant, "m1", ("manager",))
    console.goto("/console/contacts")
    console.get_by_role("button", name="疑似重复客户").click()
    drawer = console.get_by_role("dialog", name="疑似重复客户")
    pair = drawer.get_by_role("region", name="共享手机号，冲突：unionid")
    expect(pair.get_by_role("link", name="王芳（旧）")).to_be_visible()
    expect(pair.get_by_role("link", name="王芳（新）")).to_be_visible()
    assert_accessible(console, context="merge candidates")

    pair.get_by_role("button", name="合并").click()
    confirm = console.get_by_role("dialog", name="合并这两个客户？")
    reason = confirm.get_by_label("合并原因")
    expect(reason).to_be_focused()  # the dialog is open
    confirm.get_by_role("button", name="确认合并").click()
    expect(confirm.get_by_text("请填写合并原因")).to_be_visible()
    reason.fill("同一手机号，电话核实为同一人")
    confirm.get_by_role("button", name="确认合并").click()
    expect(confirm).to_be_hidden()
    expect(drawer.get_by_text("没有疑似重复的客户")).to_be_visible()
    survivor = drawer.get_by_role("link", name="已合并，查看保留的客户 王芳（旧）")
    expect(survivor).to_be_visible()
    assert_accessible(console, context="merged")
    assert ok(web_stack.call("GET", "/v1/contacts/merge-candidates", token=manager))["items"] == []

    survivor.click()
    expect(console).to_have_url(re.compile(rf"/console/contacts/{older}$"))
    expect(console.get_by_role("region", name="资料")).to_contain_text(newer)
    merges = console.get_by_role("region", name="合并记录")
    row = merges.get_by_role("row").filter(has_text="同一手机号，电话核实为同一人")
    expect(row).to_contain_text("人工合并")
    expect(row).to_contain_text("员工 m1")
    assert_accessible(console, context="kept contact")
