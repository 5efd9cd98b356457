"""WeCom channel codes (企业微信活码) and departed transfers' customer groups in the console, against
the local stack and its fake WeCom: a manager makes a campaign code a WeCom contact way for two
directory members, sees it become ready with WeCom's QR image, sees a member at the daily limit
(已达上限) and changes the rotation; the contact way on a phone; a departed member's transfer
shows its customer groups moved — each view axe-clean."""

# ruff: noqa: RUF001  (the console speaks Chinese: its full-width punctuation is the text under test)

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in_console
from tests.browser.test_console_wecom import FAKE, corp_with_staff, eventually, ok, sync
from tests.e2e.conftest import Http


def pick(page: Page, option: str) -> None:
    """Click an option of the open select (antd's visible list, not its screen-reader copy)."""
    page.locator(".ant-select-dropdown:visible").get_by_title(option, exact=True).click()


def close_select(page: Page) -> None:
    """Close the open select (its screen-reader list, unnamed in antd, goes with it)."""
    page.keyboard.press("Escape")
    expect(page.locator(".ant-select-dropdown:visible")).to_have_count(0)


def new_campaign(web_stack: Http, token: str) -> str:
    body = {
        "name": "企微拉新",
        "starts_at": "2026-01-01T00:00:00Z",
        "ends_at": "2030-01-01T00:00:00Z",
        "acquisition_points": 10,
        "engagement_points": 1,
        "points_budget": 1000,
    }
    return str(ok(web_stack.call("POST", "/v1/campaigns", body, token), 201)["campaign_id"])


def new_customer(web_stack: Http, corp: str) -> str:
    external_userid = f"wm{uuid.uuid4().hex[:20]}"
    body = {"corp_id": corp, "external_userid": external_userid, "name": "王芳"}
    ok(web_stack.call("POST", f"{FAKE}/customers", body))
    return external_userid


def ready_way(web_stack: Http, token: str, code: str) -> dict[str, Any]:
    way = eventually(
        lambda: web_stack.call("GET", f"/v1/wecom/contact-ways/{code}", None, token),
        lambda answer: answer[0] == 200 and answer[1]["status"] != "creating",
    )
    assert way[0] == 200, way
    assert way[1]["status"] == "ready", way
    return dict(way[1])


def test_a_manager_makes_a_wecom_code_sees_it_ready_and_changes_its_rotation(
    console: Page, web_stack: Http, tenant: str
) -> None:
    ids = corp_with_staff(web_stack, tenant, ("zhangsan", "张三", False), ("lisi", "李四", False))
    manager = web_stack.staff_token(tenant, "m1", ("manager",))
    campaign = new_campaign(web_stack, manager)
    sign_in_console(console, tenant, "m1", ("manager",))
    console.goto(f"/console/campaigns/{campaign}")

    codes = console.get_by_role("region", name="渠道码")
    codes.get_by_label("渠道", exact=True).fill("企微海报")
    codes.get_by_role("switch", name="企业微信活码").click()
    expect(codes.get_by_label("员工", exact=True)).to_have_count(0)  # a rotation instead of one staff id
    codes.get_by_label("接待员工").click()
    pick(console, "张三 (zhangsan)")
    pick(console, "李四 (lisi)")
    close_select(console)
    codes.get_by_label("每人每日添加上限").fill("1")
    assert_accessible(console, context="the new code form with a WeCom contact way")
    codes.get_by_role("button", name="新建渠道码").click()

    row = codes.get_by_role("row").filter(has_text="企微海报")
    expect(row.get_by_text("企微活码")).to_be_visible()
    opener = row.get_by_role("button", name=re.compile(r"^活码详情（渠道码 \S+）$"))
    code = re.sub(r"^活码详情（渠道码 (\S+)）$", r"\1", opener.get_attribute("aria-label") or "")
    opener.click()
    drawer = console.get_by_role("dialog", name=f"企业微信活码 {code}")
    qr = drawer.get_by_role("img", name=f"企业微信活码 {code} 的二维码")
    expect(qr).to_be_visible()  # polled from 创建中 (404, then creating) to ready
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))  # the fake's image
    console.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=qr.element_handle())
    link = drawer.get_by_role("link", name="打开企业微信二维码图片")
    expect(link).to_have_attribute("href", qr.get_attribute("src") or "")
    expect(drawer.get_by_text("可用", exact=True)).to_be_visible()

    # A customer adds 张三 through the way: at the limit of 1 he leaves the rotation for today.
    way = ready_way(web_stack, manager, code)
    customer = new_customer(web_stack, ids["corp"])
    add = {"tenant_id": tenant, "action": "add", "config_id": way["config_id"], "userid": "zhangsan"}
    ok(web_stack.call("POST", f"{FAKE}/relationships", {**add, "external_userid": customer}))
    eventually(
        lambda: ok(web_stack.call("GET", f"/v1/wecom/contact-ways/{code}", None, manager))["serving"],
        lambda serving: serving == ["lisi"],
    )
    console.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    opener.click()
    expect(drawer.get_by_role("row", name="zhangsan 1 已达上限")).to_be_visible()
    expect(drawer.get_by_role("row", name="lisi 0 接待中")).to_be_visible()
    assert_accessible(console, context="a ready WeCom contact way")

    # A new rotation: 李四 alone, up to 5 a day.
    rotation = drawer.get_by_role("region", name="修改接待")
    # 张三's tag removed by its own ✕ (no dropdown to race with), and seen gone before saving.
    zhangsan = rotation.locator(".ant-select-selection-item", has_text="张三 (zhangsan)")
    zhangsan.locator(".ant-select-selection-item-remove").click()
    expect(zhangsan).to_have_count(0)
    expect(rotation.locator(".ant-select-selection-item", has_text="李四 (lisi)")).to_have_count(1)
    rotation.get_by_label("每人每日添加上限").fill("5")
    rotation.get_by_role("button", name="保存").click()
    expect(drawer.get_by_text("接待员工已更新，企业微信已同步")).to_be_visible()
    changed = ok(web_stack.call("GET", f"/v1/wecom/contact-ways/{code}", None, manager))
    assert (changed["staff_ids"], changed["daily_add_limit"], changed["serving"]) == (["lisi"], 5, ["lisi"])
    assert_accessible(console, context="the rotation changed")


def test_a_wecom_code_on_a_phone_and_a_departed_transfer_moves_the_groups(
    console: Page, phone: Page, web_stack: Http, tenant: str
) -> None:
    ids = corp_with_staff(web_stack, tenant, ("zhangsan", "张三", True), ("lisi", "李四", False))
    admin = ids["admin"]

    # The phone: a WeCom code made through the API, its contact way opened from the codes list.
    campaign = new_campaign(web_stack, admin)
    body = {"channel": "门店台卡", "wecom": {"staff_ids": ["zhangsan", "lisi"], "daily_add_limit": 30}}
    code = ok(web_stack.call("POST", f"/v1/campaigns/{campaign}/codes", body, admin), 201)["code"]
    sign_in_console(phone, tenant, "a1", ("admin",))
    phone.goto(f"/console/campaigns/{campaign}")
    phone.get_by_role("button", name=f"活码详情（渠道码 {code}）").click()
    drawer = phone.get_by_role("dialog", name=f"企业微信活码 {code}")
    expect(drawer.get_by_role("img", name=f"企业微信活码 {code} 的二维码")).to_be_visible()
    expect(drawer.get_by_role("row", name="zhangsan 0 接待中")).to_be_visible()
    assert_accessible(phone, context="a WeCom contact way on a phone")

    # 李四 owns a customer group and departs: the departure's transfer gives it to 张三, his leader.
    chat = f"wr{uuid.uuid4().hex[:16]}"
    customer = new_customer(web_stack, ids["corp"])
    group = {"corp_id": ids["corp"], "chat_id": chat, "name": "李四的会员群", "owner": "lisi", "members": [customer]}
    ok(web_stack.call("POST", f"{FAKE}/groups", group))
    sync(web_stack, admin, "/v1/wecom/groups/syncs")
    ok(web_stack.call("POST", f"{FAKE}/staff", {"corp_id": ids["corp"], "userid": "lisi", "name": "李四", "status": 5}))
    sync(web_stack, admin, "/v1/wecom/directory/syncs")
    transfers = eventually(
        lambda: ok(web_stack.call("GET", "/v1/wecom/transfers?from_staff=lisi", None, admin))["items"],
        lambda items: bool(items) and items[0]["status"] in ("done", "failed"),
    )
    assert transfers, "the departure started no transfer"
    assert transfers[0]["groups"] == {"moved": 1, "failed": 0}, transfers

    sign_in_console(console, tenant, "a1", ("admin",))
    console.goto("/console/wecom?tab=transfers")
    console.get_by_role("button", name="详情 lisi → zhangsan").click()
    detail = console.get_by_role("dialog")
    expect(detail.get_by_text("已转移 1 个 · 失败 0 个")).to_be_visible()
    groups = detail.get_by_role("region", name="客户群")
    row = groups.get_by_role("row").filter(has_text=chat)
    expect(row).to_contain_text("李四的会员群")
    expect(row).to_contain_text("已转移")
    assert_accessible(console, context="a departed transfer's customer groups")
