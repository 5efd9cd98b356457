"""The console's points and settings pages in the browser, against the local stack: who may reach
them, an admin's edits surviving a reload, the API's field errors on the field, the catalog and
the knowledge base, and a manager handing over a member's redemption."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import assert_accessible, sign_in_console
from tests.e2e.conftest import Http

POINTS_TABS = ("积分规则", "礼品目录", "兑换记录", "积分调整", "会员积分明细")
SETTINGS_TABS = ("营业时间与节假日", "SLA 与关闭", "关键词规则", "敏感词", "队列与路由", "客服与容量", "知识库")


def field(page: Page, label: str) -> Locator:
    """The form item (label, control and its messages) around the control labelled ``label``."""
    return page.locator(".ant-form-item").filter(has=page.get_by_label(label, exact=True))


def test_a_guide_cannot_reach_the_settings_pages_and_the_api_answers_403(
    console: Page, web_stack: Http, tenant: str
) -> None:
    sign_in_console(console, tenant, "g1", ("guide",))
    menu = console.get_by_role("navigation")
    expect(menu.get_by_role("link", name="客户", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="设置")).to_have_count(0)
    expect(menu.get_by_role("link", name="积分")).to_have_count(0)
    console.goto("/console/settings?tab=hours")
    expect(console.get_by_text("无权访问")).to_be_visible()
    expect(console.get_by_role("tab")).to_have_count(0)
    assert_accessible(console)

    guide = web_stack.staff_token(tenant, "g1", ("guide",))
    assert web_stack.call("GET", "/v1/case-settings", token=guide)[0] == 403
    assert web_stack.call("PUT", "/v1/case-settings", {"version": 0, "auto_close_days": 3}, guide)[0] == 403
    assert web_stack.call("PUT", "/v1/queues/vip", {"name": "VIP"}, guide)[0] == 403
    assert web_stack.call("PUT", "/v1/points/policy", {}, guide)[0] == 403


def test_an_admin_edits_the_points_policy_and_business_hours_and_sees_them_after_a_reload(
    console: Page, tenant: str
) -> None:
    sign_in_console(console, tenant, "a1", ("admin",))
    console.get_by_role("navigation").get_by_role("link", name="积分").click()
    expect(console).to_have_url(re.compile(r"/console/points$"))
    expect(console.get_by_role("tab", name="积分规则", selected=True)).to_be_visible()
    warning = console.get_by_label("到期提醒提前天数")
    expect(warning).to_have_value("30")
    assert_accessible(console, context="points: policy")

    warning.fill("14")
    console.get_by_label("等级 1 名称").fill("银卡")
    console.get_by_role("button", name="保存", exact=True).click()
    expect(console.get_by_text("已保存")).to_be_visible()
    console.reload()
    expect(console.get_by_label("到期提醒提前天数")).to_have_value("14")
    expect(console.get_by_label("等级 1 名称")).to_have_value("银卡")

    # The API's own refusal, on the field it names.
    zone = console.get_by_label("时区", exact=True)
    zone.fill("Mars/Olympus")
    console.keyboard.press("Escape")
    console.get_by_role("button", name="保存", exact=True).click()
    expect(field(console, "时区")).to_contain_text("unknown time zone")
    expect(console.locator(".ant-form-show-help-item-appear")).to_have_count(0)  # faded in: axe reads its colour
    assert_accessible(console, context="points: policy with a field error")

    console.goto("/console/settings?tab=hours")
    expect(console.get_by_role("tab", name="营业时间与节假日", selected=True)).to_be_visible()
    closes = console.get_by_label("下班时间")
    expect(closes).to_have_value("18:00")
    closes.fill("20:30")
    console.get_by_role("checkbox", name="周六").check()
    console.get_by_label("节假日日期").fill("2031-10-01")
    console.get_by_role("button", name="添加节假日").click()
    console.get_by_role("button", name="保存", exact=True).click()
    expect(console.get_by_text("已保存")).to_be_visible()
    console.reload()
    expect(console.get_by_label("下班时间")).to_have_value("20:30")
    expect(console.get_by_role("checkbox", name="周六")).to_be_checked()
    expect(console.get_by_role("listitem").filter(has_text="2031-10-01")).to_be_visible()
    assert_accessible(console, context="settings: hours")

    # Closing before opening: the API refuses the business hours as a whole, shown above the form.
    console.get_by_label("下班时间").fill("08:00")
    console.get_by_role("button", name="保存", exact=True).click()
    expect(console.get_by_role("alert").filter(has_text="close after they open")).to_be_visible()


def test_an_admin_creates_a_reward_and_a_knowledge_base_article(console: Page, tenant: str) -> None:
    sign_in_console(console, tenant, "a1", ("admin",))
    console.goto("/console/points?tab=rewards")
    expect(console.locator(".ant-empty-description")).to_be_visible()
    assert_accessible(console, context="points: rewards, empty")
    console.get_by_role("button", name="新建礼品").click()
    drawer = console.get_by_role("dialog")
    drawer.get_by_label("礼品名称").fill("保温杯")
    drawer.get_by_label("所需积分").fill("300")
    drawer.get_by_label("库存").fill("20")
    drawer.get_by_label("每人限兑").fill("1")
    assert_accessible(console, context="points: new reward")
    drawer.get_by_role("button", name="保存").click()
    row = console.get_by_role("row").filter(has_text="保温杯")
    expect(row).to_contain_text("300")
    expect(row).to_contain_text("20")
    expect(row).to_contain_text("上架")

    console.goto("/console/settings?tab=kb")
    expect(console.get_by_role("tab", name="知识库", selected=True)).to_be_visible()
    console.get_by_role("button", name="新建文章").click()
    drawer = console.get_by_role("dialog")
    drawer.get_by_role("button", name="保存").click()  # no title, no body: the API's 422 on each field
    expect(field(console, "标题")).to_contain_text("String should have at least 1 character")
    drawer.get_by_label("标题").fill("退货流程")
    drawer.get_by_label("正文").fill("收到商品 7 天内可申请退货。")
    drawer.get_by_label("关键词", exact=True).fill("退货")
    drawer.get_by_label("关键词", exact=True).press("Enter")
    drawer.get_by_role("switch", name="自动回复").click()
    drawer.get_by_label("自动回复内容").fill("您好, 退货请在订单页申请。")
    assert_accessible(console, context="settings: new article")
    drawer.get_by_role("button", name="保存").click()
    row = console.get_by_role("row").filter(has_text="退货流程")
    expect(row).to_contain_text("退货")
    expect(row).to_contain_text("是")
    console.get_by_label("搜索知识库", exact=True).fill("退货")
    console.get_by_label("搜索知识库", exact=True).press("Enter")
    expect(console.get_by_role("row").filter(has_text="退货流程")).to_be_visible()
    assert_accessible(console, context="settings: kb")


def test_a_manager_fulfils_a_members_redemption(console: Page, web_stack: Http, tenant: str) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    status, member = web_stack.call(
        "POST",
        "/v1/auth/wechat",
        {"tenant_id": tenant, "app_id": "wx-console", "code": f"dev:m-{uuid.uuid4().hex[:6]}"},
    )
    assert status == 200, member
    contact = member["contact_id"]
    status, _ = web_stack.call(
        "POST", f"/v1/contacts/{contact}/points/adjustments", {"points": 500, "reason": "welcome"}, admin
    )
    assert status == 201
    status, reward = web_stack.call("POST", "/v1/rewards", {"name": "帆布袋", "cost": 120, "stock": 5}, admin)
    assert status == 201, reward
    status, redemption = web_stack.call(
        "POST", "/v1/me/redemptions", {"reward_id": reward["reward_id"]}, member["token"]
    )
    assert status == 201, redemption

    sign_in_console(console, tenant, "m1", ("manager",))
    console.goto("/console/points?tab=redemptions")
    row = console.get_by_role("row").filter(has_text="帆布袋")
    expect(row).to_contain_text("待发放")
    expect(row).to_contain_text(contact)
    assert_accessible(console, context="points: redemptions")
    row.get_by_role("button", name="确认发放 帆布袋").click()
    console.locator(".ant-popconfirm").get_by_role("button", name="确认发放").click()
    expect(console.locator(".ant-empty-description")).to_be_visible()  # nothing left to hand over
    console.locator(".ant-segmented").get_by_text("已发放").click()
    expect(console.get_by_role("row").filter(has_text="帆布袋")).to_contain_text("已发放")

    mine = web_stack.call("GET", "/v1/me/redemptions", token=member["token"])[1]
    assert [item["status"] for item in mine["items"]] == ["fulfilled"]

    # The member's statement: balance after the redemption and the entries that led to it.
    console.goto(f"/console/points?tab=statement&contact={contact}")
    expect(console.get_by_text("当前余额")).to_be_visible()
    expect(console.get_by_role("row").filter(has_text="人工调整")).to_contain_text("+500")
    expect(console.get_by_role("row").filter(has_text="兑换")).to_contain_text("-120")
    assert_accessible(console, context="points: statement")


def test_a_debit_below_zero_is_refused_and_every_tab_passes_the_accessibility_check(
    console: Page, web_stack: Http, tenant: str
) -> None:
    status, member = web_stack.call(
        "POST", "/v1/auth/wechat", {"tenant_id": tenant, "app_id": "wx-console", "code": "dev:poor"}
    )
    assert status == 200, member
    sign_in_console(console, tenant, "a1", ("admin",))
    console.goto("/console/points?tab=adjustments")
    console.get_by_label("会员（联系人）ID").fill(member["contact_id"])  # noqa: RUF001
    console.get_by_label("调整积分").fill("-50")
    console.get_by_label("原因").fill("手工扣减")
    console.get_by_role("button", name="提交调整").click()
    expect(console.get_by_role("alert").filter(has_text="积分调整被拒绝")).to_contain_text(
        "余额不足"
    )  # reason insufficient_points, in Chinese
    for name in POINTS_TABS:
        console.get_by_role("tab", name=name).click()
        expect(console.get_by_role("tab", name=name, selected=True)).to_be_visible()
        expect(console.locator(".ant-skeleton")).to_have_count(0)
        assert_accessible(console, context=f"points: {name}")
    console.goto("/console/settings")
    for name in SETTINGS_TABS:
        console.get_by_role("tab", name=name).click()
        expect(console.get_by_role("tab", name=name, selected=True)).to_be_visible()
        expect(console.locator(".ant-skeleton")).to_have_count(0)
        assert_accessible(console, context=f"settings: {name}")


def test_settings_on_a_phone(phone: Page, tenant: str) -> None:
    sign_in_console(phone, tenant, "a1", ("admin",))
    phone.goto("/console/settings?tab=keywords")
    phone.get_by_role("button", name="添加关键词规则").click()
    phone.get_by_label("关键词", exact=True).fill("投诉")
    phone.get_by_label("关键词", exact=True).press("Enter")
    expect(phone.get_by_text("消息包含 投诉 → 创建投诉工单（普通）")).to_be_visible()  # noqa: RUF001
    assert_accessible(phone, context="settings: keywords, phone")
