"""The console's customer groups, 群接龙 and staff KPIs against the local stack and its fake WeCom:
an admin syncs the groups (the job followed to its end), opens a group (members, activity), posts a
sign-up sheet and sees its H5 link and entries; a manager reads the KPIs of a scripted day (adds,
a customer's deletion, a journey's task done) in the table and the chart. Seeding goes through the
API and the fake, as WeCom and staff would."""

# The console's Chinese uses full-width punctuation, which the assertions match exactly.
# ruff: noqa: RUF001

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any

from playwright.sync_api import Locator, Page, expect

from local.frontends import LOCAL_MEMBER_APP_ID
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, assert_accessible, wecom_corp
from tests.e2e.conftest import Http, wait_for

FAKE = "/v1/dev/wecom"


def _ok(answer: tuple[int, Any]) -> Any:
    assert answer[0] < 300, answer
    return answer[1]


def _corp(stack: Http, tenant: str, staff: dict[str, str]) -> str:
    """The tenant's WeCom corp with ``staff`` (userid → name) in its directory; the corp id."""
    return wecom_corp(stack, tenant, staff)


def _customer(stack: Http, corp: str, name: str) -> str:
    external_userid = f"wm{uuid.uuid4().hex[:20]}"
    _ok(stack.call("POST", f"{FAKE}/customers", {"corp_id": corp, "external_userid": external_userid, "name": name}))
    return external_userid


def _a_task_done(stack: Http, tenant: str, admin: str, staff_id: str) -> None:
    """A journey's task step gives ``staff_id`` a task for a customer they own, and they complete
    it (as the guide's task page would): one task done today. (None goes overdue: that takes a
    minute of real time, or moving the test clock every browser test shares.)"""
    text = {"name": "回访话术", "channel": "wecom_customer", "content": {"text": "{name|朋友}您好"}}
    template_id = _ok(stack.call("POST", "/v1/templates", text, admin))["template_id"]
    segment = _ok(stack.call("POST", "/v1/segments", {"name": "回访名单", "kind": "static"}, admin))
    journey = {
        "name": "新客回访",
        "trigger": {"kind": "segment_entered", "segment_id": segment["segment_id"]},
        "entry": "call",
        "steps": [
            {"type": "task", "id": "call", "title": "回访", "next": "done"},
            {"type": "exit", "id": "done"},
        ],
    }
    made = _ok(stack.call("POST", "/v1/journeys", journey, admin))
    _ok(stack.call("POST", f"/v1/journeys/{made['journey_id']}/resume", token=admin))
    contact_id = _ok(stack.call("POST", "/v1/contacts", {"name": "周八", "owner": staff_id}, admin))["contact_id"]
    preview = f"/v1/templates/{template_id}/preview"
    # Outreach knows the contact (and its owner) from contacts' events before the segment entry.
    wait_for(lambda: stack.call("POST", preview, {"contact_id": contact_id}, admin)[0] == 200, timeout=20)
    _ok(stack.call("POST", f"/v1/segments/{segment['segment_id']}/members", {"add": [contact_id]}, admin))
    guide = stack.staff_token(tenant, staff_id, ("guide",))

    def given() -> list[dict[str, Any]]:
        _ok(stack.call("POST", "/v1/dev/schedules/outreach-tick/runs"))
        return list(_ok(stack.call("GET", "/v1/me/tasks", token=guide))["items"])

    [task] = wait_for(given, timeout=30)
    _ok(stack.call("POST", f"/v1/me/tasks/{task['task_id']}/complete", {}, guide))


def _signed_in(page: Page, stack: Http, tenant: str, staff_id: str, roles: tuple[str, ...]) -> None:
    """The console's session as its development sign-in stores it (the sign-in page itself is
    another test's subject; this one starts signed in)."""
    token = stack.staff_token(tenant, staff_id, roles)
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    session = {
        "token": token,
        "tenantId": tenant,
        "staffId": staff_id,
        "roles": list(roles),
        "expiresAt": claims["exp"],
    }
    page.goto("/console/config.json")
    page.evaluate("s => localStorage.setItem('siyu.console.session', s)", json.dumps(session))


def _settled(page: Page) -> None:
    """No button under the mouse: axe would measure the contrast of its hover colour."""
    page.mouse.move(0, 0)


def _both_widths(page: Page, name: str) -> None:
    """The view at desktop width and again at phone width, kept as
    test-results/browser/<name>.png and <name>-phone.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    page.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size({"width": DESKTOP["width"], "height": DESKTOP["height"]})


def _scrolled_to_the_end(scroller: Locator) -> None:
    """A sideways scroller scrolled to its last columns (the staff column stays, fixed)."""
    scroller.evaluate("box => { box.scrollLeft = box.scrollWidth }")


def test_an_admin_syncs_groups_opens_one_and_posts_a_signup_sheet(console: Page, web_stack: Http, tenant: str) -> None:
    corp = _corp(web_stack, tenant, {"guide-1": "导购一"})
    buyers = [_customer(web_stack, corp, "王芳"), _customer(web_stack, corp, "赵六")]
    group = {"corp_id": corp, "chat_id": "wrBrowser1", "name": "会员福利群", "owner": "guide-1", "members": buyers}
    _ok(web_stack.call("POST", f"{FAKE}/groups", group))

    _signed_in(console, web_stack, tenant, "admin1", ("admin",))
    console.goto("/console/groups")
    expect(console.get_by_role("heading", name="客户群", level=1)).to_be_visible()
    expect(console.get_by_text("还没有客户群")).to_be_visible()
    assert_accessible(console, context="groups, empty")

    console.get_by_role("button", name="同步客户群").click()
    expect(console.get_by_test_id("group-sync")).to_have_attribute("data-status", "succeeded", timeout=15_000)
    expect(console.get_by_role("button", name="同步客户群")).to_have_css("opacity", "1")  # no longer busy
    expect(console.get_by_role("button", name="查看客户群 会员福利群")).to_be_visible()
    row = console.get_by_role("row").filter(has_text="会员福利群")
    expect(row).to_contain_text("guide-1")
    expect(row.get_by_role("cell", name="3", exact=True)).to_be_visible()  # the owner and two customers
    expect(console.get_by_text("最近 30 天：入群 3 人，退群 0 人")).to_be_visible()
    _settled(console)
    assert_accessible(console, context="groups")
    _both_widths(console, "console-groups")

    console.get_by_role("button", name="查看客户群 会员福利群").click()
    drawer = console.get_by_role("dialog")
    expect(drawer.get_by_role("heading", name="群成员")).to_be_visible()
    expect(drawer.get_by_role("cell", name="王芳")).to_be_visible()
    expect(drawer.get_by_role("cell", name="赵六")).to_be_visible()
    expect(drawer.get_by_text("这个群还没有接龙")).to_be_visible()

    drawer.get_by_role("button", name="发起接龙").click()
    form = console.get_by_role("dialog", name="发起群接龙")
    form.get_by_label("标题").fill("周六徒步")
    form.get_by_label("名额").fill("2")
    form.get_by_role("button", name="发起接龙").click()
    sheet = console.get_by_role("dialog", name="周六徒步")
    link = sheet.get_by_test_id("share-link")
    expect(link).to_have_text(re.compile(rf"^/m/signups/su_[A-Za-z0-9]+\?tenant={tenant}$"))
    expect(sheet.get_by_text("还没有人报名")).to_be_visible()
    sheet_id = re.search(r"su_[A-Za-z0-9]+", link.inner_text()).group(0)  # type: ignore[union-attr]

    # Two members join on the H5 (through the API here; the H5 has its own test): numbers 1 and 2.
    for name in ("小明", "小红"):
        member = _ok(
            web_stack.call(
                "POST", "/v1/auth/wechat", {"tenant_id": tenant, "app_id": LOCAL_MEMBER_APP_ID, "code": f"dev:{name}"}
            )
        )
        _ok(web_stack.call("POST", f"/v1/me/signups/{sheet_id}/entries", token=member["token"]))
    sheet.get_by_role("button", name="关闭").first.click()
    expect(drawer.get_by_role("row").filter(has_text="周六徒步")).to_contain_text("0 / 2")
    console.reload()  # the list as it is now
    console.get_by_role("dialog").get_by_role("button", name="查看接龙 周六徒步").click()
    sheet = console.get_by_role("dialog", name="周六徒步")
    entries = sheet.get_by_role("region", name="报名名单").get_by_role("row")
    expect(entries).to_have_count(3)  # the header and two entries, in number order
    expect(entries.nth(1).get_by_role("cell").first).to_have_text("1")
    expect(entries.nth(2).get_by_role("cell").first).to_have_text("2")
    expect(sheet.get_by_text("已报名").locator("..")).to_contain_text("2")
    _settled(console)
    assert_accessible(console, context="a sign-up sheet")
    _both_widths(console, "console-signup-sheet")


def test_a_manager_reads_the_staff_kpis_of_a_scripted_day(console: Page, web_stack: Http, tenant: str) -> None:
    corp = _corp(web_stack, tenant, {"guide-1": "导购一", "guide-2": "导购二"})
    admin = web_stack.staff_token(tenant, "admin1", ("admin",))
    started = _ok(web_stack.call("POST", "/v1/wecom/directory/syncs", token=admin))
    wait_for(
        lambda: _ok(web_stack.call("GET", f"/v1/wecom/jobs/{started['job_id']}", token=admin))["status"] == "succeeded"
    )
    # guide-1: three adds, one customer deletes them → customers 2, adds 3, net 2, churn 1/3.
    customers = [_customer(web_stack, corp, name) for name in ("王芳", "赵六", "孙七")]
    for external_userid in customers:
        body = {
            "tenant_id": tenant,
            "action": "add",
            "userid": "guide-1",
            "external_userid": external_userid,
            "welcome": False,
        }
        _ok(web_stack.call("POST", f"{FAKE}/relationships", body))
    body = {"tenant_id": tenant, "action": "customer_deletes", "userid": "guide-1", "external_userid": customers[0]}
    _ok(web_stack.call("POST", f"{FAKE}/relationships", body))
    _a_task_done(web_stack, tenant, admin, "guide-1")

    def settled() -> bool:
        rows = _ok(web_stack.call("GET", "/v1/wecom/kpis?group_by=staff&period=day", token=admin))["rows"]
        mine = [row for row in rows if row["staff_id"] == "guide-1"]
        figures = ("adds", "deletions_by_customer", "customers", "tasks_done")
        return bool(mine) and tuple(mine[0][key] for key in figures) == (3, 1, 2, 1)

    wait_for(settled, timeout=15)

    _signed_in(console, web_stack, tenant, "m1", ("manager",))
    console.goto("/console/kpis")
    expect(console.get_by_role("heading", name="员工 KPI", level=1)).to_be_visible()
    row = console.get_by_role("row").filter(has_text="导购一")
    cells = row.get_by_role("cell")
    # name, customers, adds, net adds, by customer, by staff, churn, 引流, resolved, first response, CSAT, orders, GMV,
    # tasks done, tasks overdue
    expect(cells).to_have_text(["导购一", "2", "3", "2", "1", "0", "33.3%", "—", "0", "—", "—", "0", "0.00", "1", "0"])
    headers = console.get_by_role("columnheader")
    expect(headers.nth(13)).to_have_text("已完成任务")
    expect(headers.nth(14)).to_have_text("逾期任务")
    expect(console.get_by_role("row").filter(has_text="导购二").get_by_role("cell").nth(13)).to_have_text("0")
    # The table is wider than the page: its scroller is named and the keyboard reaches it.
    scroller = console.get_by_role("region", name="KPI 明细表（可左右滚动）")
    scroller.focus()
    expect(scroller).to_be_focused()
    _scrolled_to_the_end(scroller)
    console.screenshot(path=ARTIFACTS / "console-kpis-tasks.png", full_page=True)
    console.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    _scrolled_to_the_end(scroller)
    console.screenshot(path=ARTIFACTS / "console-kpis-tasks-phone.png", full_page=True)
    console.set_viewport_size({"width": DESKTOP["width"], "height": DESKTOP["height"]})
    expect(console.get_by_role("row").filter(has_text="导购二").get_by_role("cell").nth(6)).to_have_text("—")
    expect(console.get_by_text("导购客群资产数最高：导购一（2）")).to_be_visible()
    _settled(console)
    assert_accessible(console, context="KPIs by staff")

    console.get_by_role("combobox", name="图表指标").click()
    console.locator(".ant-select-item-option").get_by_text("新增好友", exact=True).click()
    expect(console.get_by_text("新增好友最高：导购一（3）")).to_be_visible()

    console.get_by_role("radio", name="月").locator("xpath=..").click()
    expect(console).to_have_url(re.compile(r"period=month"))
    expect(console.get_by_test_id("kpi-range")).to_contain_text(re.compile(r"\d{4}-\d{2}-01 至"))
    console.get_by_role("radio", name="按部门").locator("xpath=..").click()
    expect(console.get_by_role("columnheader", name="部门")).to_be_visible()
    expect(console.get_by_role("columnheader", name="人数")).to_be_visible()
    _settled(console)
    assert_accessible(console, context="KPIs by department")
    console.get_by_role("radio", name="按员工").locator("xpath=..").click()
    expect(console.get_by_role("radio", name="按员工")).to_be_checked()
    expect(console.get_by_role("row").filter(has_text="导购一")).to_be_visible()
    _both_widths(console, "console-kpis")
