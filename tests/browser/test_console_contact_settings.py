"""The console's contact settings tabs in the browser, against the local stack: an admin creates a
single-choice tag group and an auto-tag rule and sets lead scoring (all kept by the API); a manager
sees the lifecycle rules read-only (admin-only writes hidden); the tabs on a phone."""

# ruff: noqa: RUF001 (Chinese text is written with Chinese punctuation)
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in_console
from tests.e2e.conftest import Http


def test_an_admin_creates_a_tag_group_and_an_auto_tag_rule_and_sets_lead_scoring(
    console: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    sign_in_console(console, tenant, "a1", ("admin",))
    console.goto("/console/settings?tab=tag-groups")
    expect(console.get_by_text("还没有标签组")).to_be_visible()
    console.get_by_role("button", name="新建标签组").click()
    drawer = console.get_by_role("dialog")
    drawer.get_by_label("组名").fill("肤质")
    drawer.get_by_label("单选").click()
    tags = drawer.get_by_label("标签")
    tags.fill("干性")
    tags.press("Enter")
    tags.fill("油性")
    tags.press("Enter")
    drawer.get_by_role("button", name="保存", exact=True).click()
    expect(drawer).to_be_hidden()
    row = console.get_by_role("row").filter(has_text="肤质")
    expect(row).to_contain_text("是")
    expect(row).to_contain_text("油性")
    assert_accessible(console, context="settings: tag groups")
    groups = web_stack.call("GET", "/v1/tag-groups", token=admin)[1]["items"]
    assert [(g["name"], g["single_choice"], sorted(g["tags"])) for g in groups] == [("肤质", True, ["干性", "油性"])]

    console.goto("/console/settings?tab=tag-rules")
    console.get_by_role("button", name="新建规则").click()
    drawer = console.get_by_role("dialog")
    drawer.get_by_label("规则名称").fill("母婴订单")
    drawer.get_by_role("button", name=re.compile("添加条件")).click()
    drawer.get_by_label("条件 1 字段").fill("categories")
    drawer.get_by_label("条件 1 运算").click()
    console.locator('.ant-select-item-option[title="has"]').click()
    drawer.get_by_label("条件 1 值").fill("母婴")
    tags = drawer.get_by_label("打上标签")
    tags.fill("母婴")
    tags.press("Enter")
    drawer.get_by_role("button", name="保存", exact=True).click()
    expect(drawer).to_be_hidden()
    expect(console.get_by_role("row").filter(has_text="母婴订单")).to_contain_text("OrderPaid")
    assert_accessible(console, context="settings: tag rules")
    rules = web_stack.call("GET", "/v1/tag-rules", token=admin)[1]["items"]
    assert [(r["on"], r["when"], r["add_tags"]) for r in rules] == [
        ("OrderPaid", [{"field": "categories", "op": "has", "value": "母婴"}], ["母婴"])
    ]

    console.goto("/console/settings?tab=scoring")
    console.get_by_label("半衰期（天，0 表示不衰减）").fill("14")
    console.get_by_label("A 级阈值").fill("90")
    console.get_by_role("button", name=re.compile("添加计分规则")).click()
    console.get_by_label("规则 1 标识").fill("paid")
    console.get_by_label("规则 1 名称").fill("下单")
    console.get_by_label("规则 1 分值").fill("20")
    console.get_by_label("规则 1 每日上限").fill("40")
    console.get_by_role("button", name="保存", exact=True).click()
    expect(console.get_by_text("已保存")).to_be_visible()
    assert_accessible(console, context="settings: scoring")
    scoring = web_stack.call("GET", "/v1/lead-scoring", token=admin)[1]
    assert scoring["half_life_days"] == 14
    assert scoring["grades"]["A"] == 90
    assert [(r["rule_id"], r["on"], r["points"], r["daily_cap"]) for r in scoring["rules"]] == [
        ("paid", "OrderPaid", 20, 40)
    ]
    console.reload()
    expect(console.get_by_label("规则 1 名称")).to_have_value("下单")


def test_lifecycle_rules_on_a_phone_and_read_only_for_a_manager(phone: Page, web_stack: Http, tenant: str) -> None:
    sign_in_console(phone, tenant, "m1", ("manager",))
    phone.goto("/console/settings?tab=lifecycle")
    field = phone.get_by_label("多少天无活动进入休眠期")
    expect(field).to_have_value("30")
    expect(field).to_be_disabled()
    expect(phone.get_by_role("button", name="保存", exact=True)).to_have_count(0)
    assert_accessible(phone, context="settings: lifecycle, phone")
    phone.goto("/console/settings?tab=tag-groups")
    expect(phone.get_by_text("还没有标签组")).to_be_visible()
    assert_accessible(phone, context="settings: tag groups, phone")
