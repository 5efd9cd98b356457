"""The console's broadcasts (群发) and the guide's tasks in the browser, against the local stack: a
broadcast made in the wizard (audience, preview counts with skips by reason, schedule), started by
the minute tick and followed to completed on its page and in the list; a WeCom group broadcast whose
preview and staff confirmations name the staff members outreach knows (the id for one it does not);
a scheduled one changed and cancelled on a phone; a journey's task step giving a guide a task with
the customer's context and a suggested message, completed with a note on a phone."""

# ruff: noqa: RUF001 (Chinese text is written with Chinese punctuation)

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ARTIFACTS, assert_accessible, sign_in_console, wecom_corp
from tests.e2e.conftest import Http, wait_for


def _ok(answer: tuple[int, Any], *statuses: int) -> Any:
    assert answer[0] in (statuses or (200, 201)), answer
    return answer[1]


def _no_quiet_hours(web_stack: Http, admin: str) -> None:
    """Quiet hours off, so the wall clock's hour does not matter."""
    current = _ok(web_stack.call("GET", "/v1/outreach/settings", token=admin))
    body = {"time_zone": "Asia/Shanghai", "quiet_hours": None, "caps": {}, "version": current["version"]}
    _ok(web_stack.call("PUT", "/v1/outreach/settings", body, admin))


def _template(web_stack: Http, admin: str) -> str:
    content = {"app_id": "wx-oa", "wechat_template_id": "TPL1", "data": {"first": "{name|会员}您好"}}
    body = {"name": "会员日通知", "channel": "wechat_template", "content": content}
    return str(_ok(web_stack.call("POST", "/v1/templates", body, admin))["template_id"])


def _contact(web_stack: Http, admin: str, name: str, *, consent: bool, openid: str, owner: str | None = None) -> str:
    body: dict[str, Any] = {
        "name": name,
        "consent": {"wechat": {"marketing": consent}, "wecom": {"marketing": consent}},
        "openids": {"wx-oa": openid},
    }
    if owner:
        body["owner"] = owner
    return str(_ok(web_stack.call("POST", "/v1/contacts", body, admin))["contact_id"])


def _known_to_outreach(web_stack: Http, admin: str, template_id: str, contact_id: str) -> None:
    """Outreach keeps its own copy of the contact's facts, from contacts' events (a second or two)."""
    path = f"/v1/templates/{template_id}/preview"
    wait_for(lambda: web_stack.call("POST", path, {"contact_id": contact_id}, admin)[0] == 200, timeout=20)


def _static_segment(web_stack: Http, admin: str, name: str, *contact_ids: str) -> str:
    segment = _ok(web_stack.call("POST", "/v1/segments", {"name": name, "kind": "static"}, admin), 200, 201, 202)
    segment_id = str(segment["segment_id"])
    _ok(web_stack.call("POST", f"/v1/segments/{segment_id}/members", {"add": list(contact_ids)}, admin), 200, 201, 202)
    return segment_id


def _pick(page: Page, select: Locator, option: str) -> None:
    """An antd Select: open it, click the option (its list renders beside the page's body)."""
    select.click()
    page.locator(f'.ant-select-item-option[title="{option}"]').click()


def _tick(web_stack: Http) -> None:
    _ok(web_stack.call("POST", "/v1/dev/schedules/outreach-tick/runs"), 200, 202)


def _wecom_staff(web_stack: Http, tenant: str, admin: str, staff: dict[str, str]) -> None:
    """The tenant's WeCom corp (the fake's) with ``staff`` (userid → name) in its directory, synced:
    outreach learns their names from wecom's events."""
    wecom_corp(web_stack, tenant, staff)
    job = _ok(web_stack.call("POST", "/v1/wecom/directory/syncs", token=admin), 200, 201, 202)
    wait_for(
        lambda: _ok(web_stack.call("GET", f"/v1/wecom/jobs/{job['job_id']}", token=admin))["status"] == "succeeded",
        timeout=20,
    )


def test_a_broadcast_made_in_the_wizard_previews_its_skips_and_is_followed_until_sent(
    console: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    _no_quiet_hours(web_stack, admin)
    template_id = _template(web_stack, admin)
    yes = _contact(web_stack, admin, "王芳", consent=True, openid="o-1")
    no = _contact(web_stack, admin, "李雷", consent=False, openid="o-2")
    segment_id = _static_segment(web_stack, admin, "会员日", yes, no)
    audience = {"channel": "wechat_template", "template_id": template_id, "segment_id": segment_id}

    def settled() -> bool:
        """Outreach knows both contacts' facts and the segment's members (from the bus)."""
        status, preview = web_stack.call("POST", "/v1/broadcasts/preview", audience, admin)
        return status == 200 and preview["targeted"] == 2 and preview["skipped"] == {"no_consent": 1}

    wait_for(settled, timeout=20)

    sign_in_console(console, tenant, "a1", ("admin",))
    console.get_by_role("navigation").get_by_role("link", name="群发").click()
    expect(console).to_have_url(re.compile(r"/console/broadcasts$"))
    expect(console.get_by_text("还没有群发")).to_be_visible()
    assert_accessible(console, context="broadcasts: empty")

    console.get_by_role("button", name="新建群发").click()
    wizard = console.get_by_role("dialog")
    _pick(console, wizard.get_by_label("渠道"), "公众号模板消息")
    _pick(console, wizard.get_by_label("分群", exact=True), "会员日（2 人）")
    _pick(console, wizard.get_by_label("消息模板"), "会员日通知")
    wizard.get_by_role("button", name="下一步").click()
    preview = wizard.get_by_test_id("broadcast-preview")
    expect(preview).to_contain_text("未同意营销消息")
    expect(preview.locator(".ant-statistic").nth(0)).to_contain_text("2")
    expect(preview.locator(".ant-statistic").nth(1)).to_contain_text("1")
    assert_accessible(console, context="broadcasts: wizard preview")
    console.screenshot(path=ARTIFACTS / "broadcast-wizard-preview-desktop.png")
    wizard.get_by_role("button", name="下一步").click()
    expect(wizard.get_by_test_id("scheduled-for")).to_contain_text("将于")
    wizard.get_by_label("名称").fill("会员日通知 · 五月")
    wizard.get_by_role("button", name="创建群发").click()

    expect(console).to_have_url(re.compile(r"/console/broadcasts/[^/]+$"))
    expect(console.get_by_role("heading", name="会员日通知 · 五月")).to_be_visible()
    _tick(web_stack)
    expect(console.get_by_test_id("broadcast-status")).to_have_text("已完成", timeout=20_000)
    stats = console.get_by_test_id("broadcast-stats")
    expect(stats.locator(".ant-statistic").filter(has_text="已发送")).to_contain_text("1")
    expect(stats).to_contain_text("未同意营销消息")
    expect(console.get_by_text("此渠道逐条发送，无需员工确认")).to_be_visible()
    assert_accessible(console, context="broadcasts: completed")
    console.screenshot(path=ARTIFACTS / "broadcast-completed-desktop.png", full_page=True)

    console.get_by_role("link", name="返回群发列表").click()
    expect(console.get_by_role("row").filter(has_text="会员日通知 · 五月")).to_contain_text("已完成")
    assert_accessible(console, context="broadcasts: list")
    console.set_viewport_size({"width": 390, "height": 844})
    console.screenshot(path=ARTIFACTS / "broadcasts-list-phone.png", full_page=True)
    console.get_by_role("button", name="新建群发").click()
    expect(console.get_by_role("dialog").get_by_label("消息模板")).to_be_visible()
    assert_accessible(console, context="broadcasts: wizard on a phone")


def test_a_group_broadcast_names_its_staff_in_the_preview_and_the_staff_confirmations(
    console: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    _no_quiet_hours(web_stack, admin)
    _wecom_staff(web_stack, tenant, admin, {"guide-1": "导购一"})
    body = {"name": "群发话术", "channel": "wecom_group", "content": {"text": "本周会员日全场 8 折"}}
    template_id = _ok(web_stack.call("POST", "/v1/templates", body, admin))["template_id"]
    audience = {"channel": "wecom_group", "template_id": template_id, "staff_ids": ["guide-1", "nobody"]}

    def named() -> bool:
        """Outreach knows guide-1's name (from wecom's directory events); nobody's it never will."""
        status, preview = web_stack.call("POST", "/v1/broadcasts/preview", audience, admin)
        return status == 200 and [row["staff_name"] for row in preview["by_staff"]] == ["导购一", None]

    wait_for(named, timeout=20)

    sign_in_console(console, tenant, "a1", ("admin",))
    console.goto("/console/broadcasts")
    console.get_by_role("button", name="新建群发").click()
    wizard = console.get_by_role("dialog")
    _pick(console, wizard.get_by_label("渠道"), "企业微信客户群群发")
    wizard.get_by_label("发送员工 ID").fill("guide-1\nnobody")
    _pick(console, wizard.get_by_label("消息模板"), "群发话术")
    wizard.get_by_role("button", name="下一步").click()
    shares = wizard.get_by_test_id("broadcast-preview").get_by_role("row")
    expect(shares.filter(has_text="导购一")).to_have_count(1)  # by name
    expect(shares.filter(has_text="nobody")).to_have_count(1)  # no name known: the id
    expect(shares.filter(has_text="guide-1")).to_have_count(0)
    assert_accessible(console, context="broadcasts: group preview with staff names")
    console.screenshot(path=ARTIFACTS / "broadcast-group-preview-desktop.png")
    wizard.get_by_role("button", name="下一步").click()
    wizard.get_by_label("名称").fill("客户群会员日")
    wizard.get_by_role("button", name="创建群发").click()

    expect(console.get_by_role("heading", name="客户群会员日")).to_be_visible()
    broadcast_id = console.url.rsplit("/", 1)[-1]

    def asked() -> bool:
        """Planned by the tick and handed to WeCom: guide-1's task waits for their confirmation."""
        _tick(web_stack)
        rows = _ok(web_stack.call("GET", f"/v1/broadcasts/{broadcast_id}/dispatches", token=admin))["items"]
        return [(row["staff_id"], row["status"]) for row in rows] == [("guide-1", "pending")]

    wait_for(asked, timeout=30)
    confirmations = console.get_by_test_id("dispatches")
    expect(confirmations.get_by_role("row").filter(has_text="导购一")).to_contain_text("待确认", timeout=20_000)
    expect(confirmations).not_to_contain_text("guide-1")
    assert_accessible(console, context="broadcasts: group broadcast's staff confirmations")
    console.screenshot(path=ARTIFACTS / "broadcast-group-dispatches-desktop.png", full_page=True)


def test_a_scheduled_broadcast_is_changed_then_cancelled_on_a_phone(phone: Page, web_stack: Http, tenant: str) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    template_id = _template(web_stack, admin)
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    body = {
        "name": "周末预告",
        "channel": "wechat_template",
        "template_id": template_id,
        "contact_ids": ["c-1", "c-2"],
        "send_at": later,
    }
    scheduled = _ok(web_stack.call("POST", "/v1/broadcasts", body, admin))

    sign_in_console(phone, tenant, "a1", ("admin",))
    phone.goto(f"/console/broadcasts/{scheduled['broadcast_id']}")
    expect(phone.get_by_test_id("broadcast-status")).to_have_text("已排期")
    phone.get_by_role("button", name="编辑").click()
    wizard = phone.get_by_role("dialog")
    expect(wizard.get_by_label("客户 ID", exact=True)).to_have_value("c-1\nc-2")
    wizard.get_by_role("button", name="下一步").click()
    expect(wizard.get_by_test_id("broadcast-preview")).to_contain_text("客户已删除或不存在")
    wizard.get_by_role("button", name="下一步").click()
    wizard.get_by_label("名称").fill("周末预告（改）")
    wizard.get_by_role("button", name="保存").click()
    expect(phone.get_by_role("heading", name="周末预告（改）")).to_be_visible()
    assert_accessible(phone, context="broadcasts: scheduled, on a phone")

    phone.get_by_role("button", name="取消群发").click()
    confirm = phone.get_by_role("dialog")
    expect(confirm).to_contain_text("周末预告（改）")
    confirm.get_by_role("button", name="取消群发").click()
    expect(phone.get_by_test_id("broadcast-status")).to_have_text("已取消")
    expect(phone.get_by_role("button", name="取消群发")).to_be_hidden()
    expect(phone.get_by_role("button", name="编辑")).to_be_hidden()


def test_a_journeys_task_reaches_the_guide_with_its_context_and_is_completed_with_a_note(
    phone: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    guide = web_stack.staff_token(tenant, "g1", ("guide",))
    template_id = _template(web_stack, admin)
    text = {"name": "回访话术", "channel": "wecom_customer", "content": {"text": "{name|朋友}您好，周末到店有礼"}}
    suggestion = _ok(web_stack.call("POST", "/v1/templates", text, admin))["template_id"]
    segment = _ok(web_stack.call("POST", "/v1/segments", {"name": "回访名单", "kind": "static"}, admin), 200, 201, 202)
    journey = {
        "name": "新客回访",
        "trigger": {"kind": "segment_entered", "segment_id": segment["segment_id"]},
        "entry": "call",
        "steps": [
            {"type": "task", "id": "call", "title": "回访", "template_id": suggestion, "next": "done"},
            {"type": "exit", "id": "done"},
        ],
    }
    made = _ok(web_stack.call("POST", "/v1/journeys", journey, admin))
    _ok(web_stack.call("POST", f"/v1/journeys/{made['journey_id']}/resume", token=admin))
    customer = _contact(web_stack, admin, "王芳", consent=True, openid="o-9", owner="g1")
    _known_to_outreach(web_stack, admin, template_id, customer)
    path = f"/v1/segments/{segment['segment_id']}/members"
    _ok(web_stack.call("POST", path, {"add": [customer]}, admin), 200, 201, 202)

    def task_given() -> bool:
        _tick(web_stack)
        return bool(_ok(web_stack.call("GET", "/v1/me/tasks", token=guide))["items"])

    wait_for(task_given, timeout=30)

    sign_in_console(phone, tenant, "g1", ("guide",))
    phone.goto("/console/tasks")
    task = phone.get_by_test_id("task")
    expect(task).to_contain_text("回访")
    expect(task).to_contain_text("王芳")
    expect(task.get_by_test_id("suggested-message")).to_contain_text("王芳您好，周末到店有礼")
    expect(task.get_by_role("button", name="复制建议话术")).to_be_visible()
    assert_accessible(phone, context="tasks: open")
    phone.screenshot(path=ARTIFACTS / "tasks-open-phone.png", full_page=True)
    task.get_by_role("button", name="完成").click()
    dialog = phone.get_by_role("dialog")
    dialog.get_by_label("备注（可选）").fill("已电话联系，周末到店")
    dialog.get_by_role("button", name="完成").click()
    expect(phone.get_by_text("没有待办任务")).to_be_visible()

    phone.get_by_text("已关闭", exact=True).click()
    expect(phone).to_have_url(re.compile(r"view=closed"))
    closed = phone.get_by_test_id("task")
    expect(closed).to_contain_text("已电话联系，周末到店")
    expect(closed.get_by_role("button", name="完成")).to_have_count(0)
    assert_accessible(phone, context="tasks: closed")
