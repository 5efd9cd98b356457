"""The console's growth pages in the browser: the dashboard, contacts and campaigns, against the
real API of a local stack — what a manager does, and what a guide is not shown."""

# ruff: noqa: RUF001  (the console speaks Chinese: its full-width punctuation is the text under test)

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in_console
from tests.e2e.conftest import Http

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _seed_contact(web_stack: Http, tenant: str, **fields: object) -> dict[str, object]:
    token = web_stack.staff_token(tenant, "m1", ("manager",))
    status, body = web_stack.call("POST", "/v1/contacts", fields, token)
    assert status == 201, body
    return dict(body)


def test_a_manager_creates_a_campaign_and_a_code_and_downloads_its_qr_png(
    console: Page, tenant: str, web_stack: Http
) -> None:
    sign_in_console(console, tenant, "m1", ("manager",))
    expect(console.get_by_role("heading", name="数据概览", level=1)).to_be_visible()
    expect(console.get_by_role("heading", name="客户增长")).to_be_visible()
    assert_accessible(console, context="dashboard")

    console.get_by_role("link", name="活码与活动").click()
    expect(console.get_by_role("heading", name="活码与活动", level=1)).to_be_visible()
    expect(console.get_by_text("还没有活动")).to_be_visible()
    assert_accessible(console, context="campaigns list")

    console.get_by_role("button", name="新建活动").click()
    drawer = console.get_by_role("dialog", name="新建活动")
    drawer.get_by_label("名称").fill("春季拉新")
    drawer.get_by_role("button", name="新建").click()
    expect(console).to_have_url(re.compile(r"/console/campaigns/[^/]+$"))
    expect(console.get_by_role("heading", name="春季拉新", level=1)).to_be_visible()

    console.get_by_role("button", name="启动").click()
    confirm = console.get_by_role("dialog", name=re.compile("启动活动"))
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="启动").click()
    expect(confirm).to_be_hidden()  # closes once the API has activated the campaign
    expect(console.get_by_text("进行中").first).to_be_visible()

    codes = console.get_by_role("region", name="渠道码")
    codes.get_by_label("渠道", exact=True).fill("poster")
    codes.get_by_label("门店", exact=True).fill("sh-01")
    codes.get_by_label("员工", exact=True).fill("m1")
    codes.get_by_role("button", name="新建渠道码").click()
    preview = codes.get_by_role("img", name=re.compile(r"^渠道码 \S+ 的二维码$"))
    expect(preview).to_be_visible()
    expect(preview).to_have_js_property("complete", True)
    assert preview.evaluate("img => img.naturalWidth") > 0
    code = re.sub(r"^渠道码 (\S+) 的二维码$", r"\1", preview.get_attribute("alt") or "")

    with console.expect_download() as started:
        codes.get_by_role("button", name=f"下载 PNG（渠道码 {code}）").click()
    download = started.value
    assert download.suggested_filename == f"qr_春季拉新_poster_sh-01_m1_{code}.png"
    assert Path(download.path()).read_bytes()[:8] == PNG_MAGIC
    funnel = console.get_by_role("region", name="转化漏斗")
    expect(funnel.get_by_text("还没有扫码数据")).to_be_visible()

    # A member scans the code (scans are counted with the scan): the funnel shows it as a chart.
    status, member = web_stack.call(
        "POST", "/v1/auth/wechat", {"tenant_id": tenant, "app_id": "wx-web", "code": "dev:o-growth"}
    )
    assert status == 200, member
    status, body = web_stack.call("POST", "/v1/scans", {"code": code}, member["token"])
    assert status == 202, body
    console.reload()
    expect(funnel.get_by_role("img", name="活动转化漏斗（按渠道码）")).to_be_visible()
    expect(funnel.get_by_text(re.compile(rf"^poster · sh-01 · m1 \({code}\)：扫码 1 次，1 人"))).to_be_visible()
    funnel.get_by_text("按渠道", exact=True).click()
    expect(funnel.get_by_text(re.compile(r"^poster：扫码 1 次，1 人"))).to_be_visible()
    assert_accessible(console, context="campaign detail")


def test_contacts_are_found_by_tag_tagged_untagged_and_erased(console: Page, tenant: str, web_stack: Http) -> None:
    tag = f"vip-{uuid.uuid4().hex[:6]}"
    contact = _seed_contact(web_stack, tenant, name="王芳", phone="13800138000", tags=[tag], owner="g1")
    _seed_contact(web_stack, tenant, name="李雷", tags=["other"])
    contact_id = str(contact["contact_id"])
    sign_in_console(console, tenant, "m1", ("manager",))

    console.get_by_role("link", name="客户", exact=True).click()
    expect(console.get_by_role("link", name="李雷")).to_be_visible()
    console.get_by_label("标签", exact=True).fill(tag)
    console.get_by_role("button", name="筛选", exact=True).click()
    expect(console).to_have_url(re.compile(rf"/console/contacts\?tag={tag}$"))
    expect(console.get_by_role("link", name="李雷")).to_have_count(0)
    assert_accessible(console, context="contacts list")

    console.get_by_role("link", name="王芳").click()
    expect(console.get_by_role("heading", name="王芳", level=1)).to_be_visible()
    expect(console.get_by_text("13800138000")).to_be_visible()
    expect(console.get_by_role("heading", name="积分账户")).to_be_visible()
    assert_accessible(console, context="contact detail")

    tags = console.get_by_role("region", name="标签")
    tags.get_by_label("新标签").fill("回访")
    tags.get_by_role("button", name="添加标签").click()
    expect(tags.get_by_role("button", name="移除标签 回访")).to_be_visible()
    tags.get_by_role("button", name="移除标签 回访").click()
    expect(tags.get_by_role("button", name="移除标签 回访")).to_have_count(0)
    expect(tags.get_by_text(tag)).to_be_visible()

    console.get_by_role("button", name="删除客户数据").click()
    dialog = console.get_by_role("dialog", name="删除此客户的个人数据？")
    confirm = dialog.get_by_role("button", name="永久删除")
    expect(confirm).to_be_disabled()
    dialog.get_by_label("客户 ID").fill(contact_id[:-1])
    expect(confirm).to_be_disabled()
    dialog.get_by_label("客户 ID").fill(contact_id)
    confirm.click()
    expect(console).to_have_url(re.compile(r"/console/contacts$"))
    token = web_stack.staff_token(tenant, "m1", ("manager",))
    status, _ = web_stack.call("GET", f"/v1/contacts/{contact_id}", token=token)
    assert status == 404


def test_the_dashboard_shows_a_manager_the_figures_and_a_guide_only_what_a_guide_may_read(
    console: Page, phone: Page, tenant: str, web_stack: Http
) -> None:
    _seed_contact(web_stack, tenant, name="新客", owner="g1")

    sign_in_console(phone, tenant, "m1", ("manager",))
    expect(phone.get_by_text(re.compile(r"^新增客户：近 7 天共 1，"))).to_be_visible()
    phone.get_by_text("今天", exact=True).click()
    expect(phone.get_by_text("新增客户：今天共 1")).to_be_visible()
    expect(phone.get_by_role("img", name="客户增长：今天每日趋势图")).to_be_visible()
    expect(phone.get_by_role("heading", name="客诉与服务")).to_be_visible()
    expect(phone.get_by_text("没有未结案例")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, context="dashboard on a phone")

    sign_in_console(console, tenant, "g1", ("guide",))
    expect(console.get_by_text("您的角色没有可查看的报表")).to_be_visible()
    for hidden in ("客户增长", "活动引流", "积分", "客诉与服务"):
        expect(console.get_by_role("heading", name=hidden, exact=True)).to_have_count(0)
    assert_accessible(console, context="dashboard for a guide")
    console.get_by_role("link", name="客户", exact=True).click()
    expect(console.get_by_role("link", name="新客")).to_be_visible()  # the guide's own contact
    expect(console.get_by_label("归属员工")).to_have_count(0)
    console.get_by_role("link", name="新客").click()
    expect(console.get_by_role("heading", name="新客", level=1)).to_be_visible()
    expect(console.get_by_role("button", name="删除客户数据")).to_have_count(0)
    expect(console.get_by_role("button", name="更改归属")).to_have_count(0)
    expect(console.get_by_role("heading", name="积分账户")).to_have_count(0)
    expect(console.get_by_role("button", name="添加标签")).to_be_visible()  # guides tag their own
