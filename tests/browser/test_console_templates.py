"""The console's templates page in the browser, against the local stack: a WeCom template written
with the variable picker (an unknown variable's 422 on the text box), previewed through the API
with examples and with a sample value, a stale save's 409 reloaded, deleted; the sending rules
(quiet hours off, a cap changed, WeCom's platform limit refused on its field) and a WeChat
subscribe message with keywords, on a phone."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import assert_accessible, sign_in_console
from tests.e2e.conftest import Http

# After a failed save antd's loading icon can linger, leaving "loading" in the button's name.
SAVE = re.compile(r"^(loading )?保存$")


def test_a_template_is_written_with_variables_previewed_reloaded_on_conflict_and_deleted(
    console: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    sign_in_console(console, tenant, "a1", ("admin",))
    console.goto("/console/templates")
    expect(console.get_by_text("还没有模板")).to_be_visible()
    expect(console.get_by_role("region", name="发送规则")).to_be_visible()
    assert_accessible(console, context="templates: empty")

    console.get_by_role("button", name="新建模板").click()
    drawer = console.get_by_role("dialog")
    drawer.get_by_label("名称", exact=True).fill("积分提醒")
    text = drawer.get_by_label("文本", exact=True)
    text.fill("您好 {nickname}")
    drawer.get_by_role("button", name=SAVE).click()
    expect(drawer.get_by_text(re.compile(r"unknown variable \{nickname\}"))).to_be_visible()

    text.fill("您好 ")
    text.press("End")
    drawer.get_by_role("button", name="{name} 客户姓名").click()
    expect(text).to_have_value("您好 {name}")
    drawer.get_by_role("button", name="添加链接").click()
    drawer.get_by_label("标题 · 链接 1", exact=True).fill("去兑换")
    drawer.get_by_label("URL · 链接 1", exact=True).fill("https://shop.example.com/rewards")
    drawer.get_by_role("button", name=SAVE).click()

    preview = drawer.get_by_test_id("template-preview")
    expect(preview).to_contain_text("您好 王芳")  # each variable's example, filled by the API
    expect(preview).to_contain_text("去兑换")
    drawer.get_by_label("示例值 · {name}").fill("李雷")
    drawer.get_by_role("button", name="预览", exact=True).click()
    expect(preview).to_contain_text("您好 李雷")
    assert_accessible(console, context="templates: editor with preview")

    # Someone else saves first: the editor's stale version is a 409, and a reload shows theirs.
    status, listing = web_stack.call("GET", "/v1/templates", token=admin)
    saved = listing["items"][0]
    status, _ = web_stack.call(
        "PUT",
        f"/v1/templates/{saved['template_id']}",
        {"name": "积分提醒 v2", "channel": saved["channel"], "content": saved["content"], "version": 1},
        admin,
    )
    assert status == 200
    drawer.get_by_label("名称", exact=True).fill("我的改动")
    drawer.get_by_role("button", name=SAVE).click()
    expect(drawer.get_by_text("这个模板已被他人修改")).to_be_visible()
    drawer.get_by_role("button", name="重新加载").click()
    expect(drawer.get_by_label("名称", exact=True)).to_have_value("积分提醒 v2")

    drawer.get_by_role("button", name="Close").or_(drawer.get_by_role("button", name="关闭")).first.click()
    row = console.get_by_role("row", name=re.compile("积分提醒 v2"))
    expect(row).to_contain_text("{name}")
    row.get_by_role("button", name=re.compile("^删除模板")).click()
    console.get_by_role("button", name="删除", exact=True).last.click()
    expect(console.get_by_text("还没有模板")).to_be_visible()
    assert web_stack.call("GET", "/v1/templates", token=admin)[1]["items"] == []


def choose_channel(page: Page, drawer: Locator, channel: str, shows: Locator) -> None:
    """Pick the channel in the editor's select. A click on an option while the dropdown is still
    sliding in (a busy phone emulation) can land on nothing: try again until the form changes."""
    option = page.locator(f'.ant-select-item-option[title="{channel}"]')
    for _ in range(3):
        if not option.is_visible():
            drawer.get_by_role("combobox", name="渠道").click()
        option.click()
        try:
            expect(shows).to_be_visible(timeout=3000)
            return
        except AssertionError:
            continue
    expect(shows).to_be_visible()


def test_sending_rules_and_a_subscribe_message_on_a_phone(phone: Page, web_stack: Http, tenant: str) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    sign_in_console(phone, tenant, "a1", ("admin",))
    phone.goto("/console/templates")
    rules = phone.get_by_role("region", name="发送规则")
    expect(rules.get_by_role("switch", name="免打扰时段")).to_be_checked()
    assert_accessible(phone, context="templates: sending rules on a phone")

    rules.get_by_label("每天 · 企业微信群发").fill("2")
    rules.get_by_role("button", name=SAVE).click()
    expect(rules.get_by_text("WeCom's daily limit")).to_be_visible()  # on the field it names
    rules.get_by_label("每天 · 企业微信群发").fill("1")
    rules.get_by_role("switch", name="免打扰时段").click()
    rules.get_by_label("每周 · 公众号模板消息").fill("2")
    rules.get_by_role("button", name=SAVE).click()
    expect(phone.get_by_text("发送规则已保存")).to_be_visible()
    settings = web_stack.call("GET", "/v1/outreach/settings", token=admin)[1]
    assert settings["quiet_hours"] is None
    assert settings["caps"]["wechat_template"]["per_week"] == 2
    assert settings["caps"]["wecom"] == {"per_day": 1, "per_week": None, "per_month": "days_in_month"}

    phone.get_by_role("button", name="新建模板").click()
    drawer = phone.get_by_role("dialog")
    drawer.get_by_label("名称", exact=True).fill("生日礼")
    choose_channel(phone, drawer, "小程序订阅消息", shows=drawer.get_by_label("小程序 AppID"))
    drawer.get_by_label("小程序 AppID").fill("wx1234567890")
    drawer.get_by_label("微信模板 ID").fill("SUB_birthday")
    drawer.get_by_label("关键词 1", exact=True).fill("thing1")
    drawer.get_by_label("关键词 1 的内容").fill("{name|朋友} 生日快乐")
    drawer.get_by_label("小程序页面").fill("pages/gift/index")
    drawer.get_by_label("小程序页面").press("Enter")  # submits the form, as a phone's "go" key does
    preview = drawer.get_by_test_id("template-preview")
    expect(preview).to_contain_text("王芳 生日快乐")
    expect(preview).to_contain_text("pages/gift/index")
    assert_accessible(phone, context="templates: subscribe message on a phone")
