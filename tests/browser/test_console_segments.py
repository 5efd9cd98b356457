"""The console's segments page in the browser, against the local stack: a rule built in the rule
builder, previewed, saved and backfilled; its count following a tag change within seconds; a bad
rule's error on the condition it names; the page on a phone."""

from __future__ import annotations

import re
import urllib.parse

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in_console
from tests.e2e.conftest import Http


def _contact(web_stack: Http, token: str, name: str, *tags: str) -> str:
    status, body = web_stack.call("POST", "/v1/contacts", {"name": name}, token)
    assert status == 201, body
    contact_id = str(body["contact_id"])
    for tag in tags:
        _tag(web_stack, token, contact_id, tag)
    return contact_id


def _tag(web_stack: Http, token: str, contact_id: str, tag: str) -> None:
    status, body = web_stack.call("PUT", f"/v1/contacts/{contact_id}/tags/{urllib.parse.quote(tag)}", token=token)
    assert status in (200, 204), body


def test_a_rule_built_in_the_builder_previews_saves_backfills_and_follows_a_tag_change(
    console: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    _contact(web_stack, admin, "甲", "VIP")
    _contact(web_stack, admin, "乙", "VIP")
    later = _contact(web_stack, admin, "丙", "新客")

    sign_in_console(console, tenant, "a1", ("admin",))
    console.get_by_role("navigation").get_by_role("link", name="客户分群").click()
    expect(console).to_have_url(re.compile(r"/console/segments$"))
    expect(console.get_by_text("还没有分群")).to_be_visible()
    assert_accessible(console, context="segments: empty")

    console.get_by_role("button", name="新建分群").click()
    drawer = console.get_by_role("dialog")
    drawer.get_by_label("名称", exact=True).fill("VIP 客户")
    drawer.get_by_label("值 · 条件 1").fill("VIP")
    drawer.get_by_role("button", name="预览").click()
    expect(drawer.get_by_role("status")).to_contain_text("命中 2 位")
    assert_accessible(console, context="segments: builder with preview")
    drawer.get_by_role("button", name="保存", exact=True).click()
    expect(drawer).to_be_hidden()

    count = console.get_by_test_id("segment-count")
    expect(count).to_have_text("2", timeout=15_000)
    expect(console.get_by_text("已就绪").first).to_be_visible(timeout=15_000)
    expect(console.get_by_role("link", name=re.compile(r".+")).filter(has_text=re.compile(r"^c")).first).to_be_visible()

    _tag(web_stack, admin, later, "VIP")
    expect(count).to_have_text("3", timeout=10_000)
    assert_accessible(console, context="segments: detail")


def test_a_bad_rule_shows_its_error_on_the_condition_it_names(console: Page, web_stack: Http, tenant: str) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    _contact(web_stack, admin, "甲", "VIP")
    sign_in_console(console, tenant, "a1", ("admin",))
    console.goto("/console/segments")
    console.get_by_role("button", name="新建分群").click()
    drawer = console.get_by_role("dialog")
    drawer.get_by_label("名称", exact=True).fill("坏规则")
    drawer.get_by_role("button", name=re.compile(r"添加条件$")).click()
    drawer.get_by_label("值 · 条件 1").fill("VIP")
    drawer.get_by_label("值 · 条件 2").fill("没有这个标签")
    drawer.get_by_role("button", name="预览").click()
    second = drawer.get_by_test_id("condition-2")
    expect(second).to_contain_text("unknown tag 没有这个标签")
    expect(drawer.get_by_test_id("condition-1")).not_to_contain_text("unknown tag")
    drawer.get_by_role("button", name="保存", exact=True).click()
    expect(second).to_contain_text("unknown tag 没有这个标签")
    assert web_stack.call("GET", "/v1/segments", token=admin)[1]["items"] == []
    assert_accessible(console, context="segments: rule error")


def test_the_segments_page_on_a_phone(phone: Page, web_stack: Http, tenant: str) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    _contact(web_stack, admin, "甲", "VIP")
    status, segment = web_stack.call(
        "POST", "/v1/segments", {"name": "VIP", "rule": {"field": "tag", "op": "has", "value": "VIP"}}, admin
    )
    assert status in (200, 201, 202), segment
    sign_in_console(phone, tenant, "a1", ("admin",))
    phone.goto(f"/console/segments?segment={segment['segment_id']}")
    expect(phone.get_by_test_id("segment-count")).to_have_text("1", timeout=15_000)
    assert_accessible(phone, context="segments: phone")
    phone.get_by_role("button", name="编辑").click()
    drawer = phone.get_by_role("dialog")
    expect(drawer.get_by_label("值 · 条件 1")).to_have_value("VIP")
    drawer.get_by_role("button", name="预览").click()
    expect(drawer.get_by_role("status")).to_contain_text("命中 1 位")
    assert_accessible(phone, context="segments: phone editor")
