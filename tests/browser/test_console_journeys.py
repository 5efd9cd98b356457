"""The console's journey builder in the browser, against the local stack: a journey started from a
ready-made template, its send step's template chosen on the node the save named, saved, made live
and changed into v2 (v1 viewable read-only); a cycle the API refuses highlighted on its step; and on
a phone, a live journey's graph with per-step stats of a contact that entered it."""

# ruff: noqa: RUF001 (Chinese text is written with Chinese punctuation)

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in_console
from tests.e2e.conftest import Http


def _template(web_stack: Http, token: str, name: str = "唤醒问候") -> str:
    body = {"name": name, "channel": "wecom_customer", "content": {"text": "{name}，好久不见"}}
    status, answer = web_stack.call("POST", "/v1/templates", body, token)
    assert status == 201, answer
    return str(answer["template_id"])


def _choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.locator(".ant-select-dropdown:visible").get_by_title(option, exact=True).click()
    expect(page.locator(".ant-select-dropdown:visible")).to_have_count(0)


def test_a_journey_from_a_template_is_built_saved_made_live_and_versioned(
    console: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    _template(web_stack, admin)
    sign_in_console(console, tenant, "a1", ("admin",))
    console.goto("/console/journeys")
    expect(console.get_by_text("还没有旅程")).to_be_visible()
    assert_accessible(console, context="journeys: empty")

    console.get_by_role("button", name="从模板新建").click()
    console.get_by_role("button", name="使用此模板：沉睡唤醒").click()
    expect(console.get_by_test_id("step-wait_1d")).to_contain_text("等待 1 天")
    expect(console.get_by_test_id("step-still_dormant")).to_contain_text("条件分支")
    expect(console.get_by_test_id("step-trigger")).to_contain_text("生命周期变为 沉睡")

    # The template's send step still needs a real message template: the save names it.
    console.get_by_role("button", name="保存为草稿").click()
    send = console.get_by_test_id("step-win_back")
    expect(send).to_have_attribute("data-error", "true")
    expect(console.get_by_test_id("graph-problems")).to_contain_text("win_back")
    panel = console.get_by_role("region", name="编辑步骤：win_back")
    _choose(console, "消息模板", "唤醒问候")
    expect(send).to_contain_text("模板：唤醒问候")
    assert_accessible(console, context="journeys: builder with a step selected")

    console.get_by_role("button", name="保存为草稿").click()
    expect(console).to_have_url(re.compile(r"/console/journeys/[^/]+$"), timeout=10_000)
    expect(console.get_by_text("草稿", exact=True)).to_be_visible()
    console.get_by_role("button", name="上线").click()
    expect(console.get_by_role("dialog")).to_be_visible()
    console.get_by_role("dialog").get_by_role("button", name="上线").click()
    expect(console.get_by_text("运行中", exact=True)).to_be_visible()
    expect(console.get_by_text("保存会生成新版本 v2")).to_be_visible()

    # A cycle without a wait: the API's 422 lands on the step it names.
    console.get_by_test_id("step-tag").click()
    panel = console.get_by_role("region", name="编辑步骤：tag")
    panel.get_by_label("标签", exact=True).fill("已唤醒")
    _choose(console, "下一步", "win_back · 发送消息")
    console.get_by_role("button", name="保存旅程").click()
    expect(console.get_by_test_id("graph-problems")).to_contain_text("旅程图有问题")
    expect(console.locator("[data-error=true]").first).to_be_visible()
    expect(console.get_by_test_id("step-wait_7d")).to_have_attribute("data-error", "true")  # now unreachable
    assert_accessible(console, context="journeys: a refused graph")
    console.get_by_test_id("step-tag").click()
    _choose(console, "下一步", "wait_7d · 等待")

    # A step added after another, then saved as v2: enrolled contacts stay on v1.
    panel.get_by_role("button", name="在此后添加步骤").click()
    expect(console.get_by_test_id("step-wait_1")).to_be_visible()
    console.get_by_role("button", name="保存旅程").click()
    expect(console.get_by_text("已保存为 v2；已进入旅程的客户继续按 v1 走完")).to_be_visible()
    expect(console.get_by_test_id("step-tag")).to_contain_text("添加标签 已唤醒")

    console.get_by_role("button", name="v1", exact=True).click()
    expect(console.get_by_text("正在查看 v1（只读）")).to_be_visible()
    expect(console.get_by_test_id("step-tag")).to_contain_text("添加标签 winback")
    expect(console.get_by_test_id("step-wait_1")).to_have_count(0)
    console.get_by_test_id("step-tag").click()
    expect(console.get_by_label("标签", exact=True)).to_be_disabled()
    assert_accessible(console, context="journeys: an old version, read-only")


def test_a_live_journeys_graph_shows_its_step_stats_on_a_phone(phone: Page, web_stack: Http, tenant: str) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    template_id = _template(web_stack, admin)
    status, segment = web_stack.call("POST", "/v1/segments", {"name": "回访名单", "kind": "static"}, admin)
    assert status in (200, 201), segment
    definition = {
        "name": "回访旅程",
        "trigger": {"kind": "segment_entered", "segment_id": segment["segment_id"]},
        "entry": "wait_1",
        "steps": [
            {"type": "wait", "id": "wait_1", "minutes": 1440, "next": "send_1"},
            {"type": "send", "id": "send_1", "template_id": template_id, "next": "done"},
            {"type": "exit", "id": "done"},
        ],
    }
    status, journey = web_stack.call("POST", "/v1/journeys", definition, admin)
    assert status == 201, journey
    status, _ = web_stack.call("POST", f"/v1/journeys/{journey['journey_id']}/resume", None, admin)
    assert status == 200
    status, contact = web_stack.call("POST", "/v1/contacts", {"name": "甲"}, admin)
    assert status == 201, contact
    deadline = time.monotonic() + 15
    while (
        web_stack.call("POST", f"/v1/templates/{template_id}/preview", {"contact_id": contact["contact_id"]}, admin)[0]
        != 200
    ):
        assert time.monotonic() < deadline, "outreach never learnt of the contact"
        time.sleep(0.3)
    status, body = web_stack.call(
        "POST", f"/v1/segments/{segment['segment_id']}/members", {"add": [contact["contact_id"]]}, admin
    )
    assert status in (200, 202), body

    sign_in_console(phone, tenant, "a1", ("admin",))
    phone.goto(f"/console/journeys/{journey['journey_id']}")
    stats = phone.get_by_test_id("stats-wait_1")
    for _ in range(20):
        if re.search(r"进入\s*1", stats.inner_text()):
            break
        phone.reload()
        stats = phone.get_by_test_id("stats-wait_1")
        stats.wait_for()
    expect(stats).to_contain_text(re.compile(r"进入\s*1"))
    expect(phone.get_by_test_id("step-trigger")).to_contain_text("进入分群 回访名单")
    assert_accessible(phone, context="journeys: phone graph with stats")
    phone.get_by_test_id("step-send_1").click()
    drawer = phone.get_by_role("dialog")
    expect(drawer.get_by_label("消息模板", exact=True)).to_be_visible()
    assert_accessible(phone, context="journeys: phone step drawer")
