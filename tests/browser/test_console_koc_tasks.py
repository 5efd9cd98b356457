"""KOC tasks in the console (/console/koc?tab=tasks), against the real API of a local stack: a
manager creates one task of each kind on a referral program (the API refusing a reward over the
program's budget, on the reward field; a review's target fixed at 1), ends one after a confirmation,
and approves a review a KOC submitted, shown in the review queue with its link and note; the same
list on a phone. The KOC becomes one as in tests/unit/test_koc_tasks.py: an admin sets the rule
(one qualified downstream contact makes a KOC), a friend opens the member's invite link and binds a
phone. Members act through the API, as the H5 would."""

# ruff: noqa: RUF001  (the console speaks Chinese: its full-width punctuation is the text under test)

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import assert_accessible, sign_in_console
from tests.browser.test_console_referrals import (
    LAPTOP,
    SCHEDULE,
    bind_phone,
    eventually,
    invitations,
    invite_code,
    member,
    ok,
    open_invite,
    shoot,
)
from tests.e2e.conftest import Http

RULE = {"direct_weight": 3, "downstream_weight": 1, "gmv_weight": 0.01, "min_downstream": 1, "window_days": 90}
PROGRAM = {
    "name": "老带新",
    "kind": "referral",
    "points_budget": 10_000,
    "referral": {"stages": [{"invitees": 1, "points": 100}], "qualifying_action": "phone_bound"},
    **SCHEDULE,
}


def my_tasks(stack: Http, who: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(stack.call("GET", "/v1/me/koc-tasks", token=who["token"])))


def koc_program(stack: Http, tenant: str, koc_name: str, phone: str) -> tuple[str, dict[str, Any]]:
    """A running referral program and a member flagged KOC in it (the rule: one qualified
    downstream contact; a friend opened the member's invite link and bound a phone)."""
    admin = stack.staff_token(tenant, "a1", ("admin",))
    ok(stack.call("PUT", "/v1/koc/rule", RULE, admin))
    campaign_id = ok(stack.call("POST", "/v1/campaigns", PROGRAM, admin), 201)["campaign_id"]
    ok(stack.call("POST", f"/v1/campaigns/{campaign_id}/activate", token=admin))
    koc = member(stack, tenant, koc_name)
    assert my_tasks(stack, koc) == {"koc": False, "items": []}
    friend = member(stack, tenant, f"{koc_name}的朋友")
    open_invite(stack, friend, invite_code(stack, koc))
    eventually(lambda: invitations(stack, admin, campaign_id), lambda rows: len(rows) == 1)
    bind_phone(stack, friend, phone)
    eventually(lambda: my_tasks(stack, koc)["koc"], bool)
    return campaign_id, koc


def create_task(page: Page, title: str, kind: str, target: int | None, points: int) -> Locator:
    """Through the drawer; the drawer, still open (a refusal) or closing."""
    page.get_by_role("button", name="新建任务").click()
    drawer = page.get_by_role("dialog", name="新建任务")
    drawer.get_by_label("裂变活动").click()
    page.locator('.ant-select-item-option[title="老带新"]').click()
    expect(drawer.get_by_text("积分从该活动的预算中发放：预算 10000")).to_be_visible()
    drawer.get_by_label("任务名称").fill(title)
    drawer.get_by_role("radiogroup", name="类型").get_by_text(kind, exact=True).click()
    if target is not None:
        drawer.get_by_label("目标数量").fill(str(target))
    drawer.get_by_label("奖励积分").fill(str(points))
    drawer.get_by_role("button", name="新建", exact=True).click()
    return drawer


def row_of(tasks: Locator, title: str) -> Locator:
    return tasks.get_by_role("row").filter(has_text=title)


def test_a_manager_sets_koc_tasks_ends_one_and_approves_a_review(
    console: Page, phone: Page, web_stack: Http, tenant: str
) -> None:
    campaign_id, koc = koc_program(web_stack, tenant, "达人小美", "+86 139 0000 5001")
    manager = web_stack.staff_token(tenant, "m1", ("manager",))

    console.set_viewport_size(LAPTOP)  # the screenshots' width, set before any drawer opens
    sign_in_console(console, tenant, "m1", ("manager",))
    console.get_by_role("link", name="KOC 影响力").click()
    console.get_by_role("tab", name="KOC 任务").click()
    expect(console).to_have_url(re.compile(r"/console/koc\?tab=tasks$"))
    tasks = console.get_by_role("region", name="任务列表", exact=True)
    expect(tasks.get_by_text("还没有 KOC 任务")).to_be_visible()
    assert_accessible(console, context="the KOC tasks tab with no task")

    drawer = create_task(console, "分享到 2 个群", "分享到群", 2, 30)
    expect(console.get_by_text("任务已创建")).to_be_visible()
    expect(drawer).to_be_hidden()
    create_task(console, "带来 2 位新客", "带来新客", 2, 50)
    expect(drawer).to_be_hidden()

    # A review: its target fixed at 1; a reward over the program's budget refused on the reward.
    drawer = create_task(console, "发一篇点评", "发布点评", None, 20_000)
    expect(drawer.get_by_label("目标数量")).to_be_disabled()
    expect(drawer.get_by_label("目标数量")).to_have_value("1")
    expect(drawer.get_by_text("点评任务的目标固定为 1 篇。")).to_be_visible()
    points = drawer.locator(".ant-form-item").filter(has=console.get_by_label("奖励积分"))
    expect(points.get_by_text("奖励积分超过了该活动的积分预算")).to_be_visible()
    assert_accessible(console, context="the task form with the API's refusal on the reward")
    shoot(console, "koc-task-form-desktop")
    drawer.get_by_label("奖励积分").fill("80")
    drawer.get_by_role("button", name="新建", exact=True).click()
    expect(drawer).to_be_hidden()

    created = ok(web_stack.call("GET", "/v1/koc/tasks", token=manager))["items"]
    assert [(t["title"], t["kind"], t["target"], t["points"]) for t in created] == [
        ("发一篇点评", "post_review", 1, 80),
        ("带来 2 位新客", "bring_visitors", 2, 50),
        ("分享到 2 个群", "share_groups", 2, 30),
    ]
    assert {t["campaign_id"] for t in created} == {campaign_id}
    ids = {t["title"]: t["task_id"] for t in created}
    created_at = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
    expect(row_of(tasks, "分享到 2 个群").get_by_role("cell")).to_have_text(
        ["分享到 2 个群", "老带新", "分享到群", "2 个群", "30 积分", "进行中", "按行为自动核验", created_at, "结束"]
    )
    expect(row_of(tasks, "带来 2 位新客").get_by_role("cell")).to_have_text(
        ["带来 2 位新客", "老带新", "带来新客", "2 位新客", "50 积分", "进行中", "按行为自动核验", created_at, "结束"]
    )
    expect(row_of(tasks, "发一篇点评").get_by_role("cell")).to_have_text(
        ["发一篇点评", "老带新", "发布点评", "1 篇点评", "80 积分", "进行中", "经理审核", created_at, "审核点评结束"]
    )
    expect(row_of(tasks, "分享到 2 个群").get_by_role("link", name="老带新")).to_have_attribute(
        "href", f"/console/campaigns/{campaign_id}"
    )

    # Ending a task, after a confirmation: KOCs no longer see it.
    row_of(tasks, "分享到 2 个群").get_by_role("button", name="结束任务“分享到 2 个群”").click()
    confirm = console.get_by_role("tooltip").filter(has_text="结束任务“分享到 2 个群”？")
    confirm.get_by_role("button", name="结束").click()
    expect(console.get_by_text("任务已结束")).to_be_visible()
    expect(row_of(tasks, "分享到 2 个群").get_by_role("cell").nth(5)).to_have_text("已结束")
    expect(row_of(tasks, "分享到 2 个群").get_by_role("button")).to_have_count(0)
    assert ids["分享到 2 个群"] not in {t["task_id"] for t in my_tasks(web_stack, koc)["items"]}
    assert_accessible(console, context="the KOC tasks, one ended")
    shoot(console, "koc-tasks-desktop")

    # The KOC submits a review (as the H5 would); it waits in the queue, with its link and note.
    review_id = ids["发一篇点评"]
    submission = {"url": "https://note.example/koc-review-1", "note": "发在小红书"}
    ok(web_stack.call("POST", f"/v1/me/koc-tasks/{review_id}/submissions", submission, koc["token"]), 201)
    row_of(tasks, "发一篇点评").get_by_role("button", name="审核点评：发一篇点评").click()
    queue = console.get_by_role("dialog", name="审核点评：发一篇点评")
    waiting = queue.get_by_role("list", name="等待审核的点评").get_by_role("listitem")
    expect(waiting).to_have_count(1)
    expect(waiting.get_by_role("link", name=koc["name"], exact=True)).to_be_visible()
    link = waiting.get_by_role("link", name="https://note.example/koc-review-1")
    expect(link).to_have_attribute("href", "https://note.example/koc-review-1")
    expect(link).to_have_attribute("target", "_blank")
    expect(waiting.get_by_text("发在小红书")).to_be_visible()
    assert_accessible(console, context="the review queue")
    shoot(console, "koc-review-queue-desktop")

    waiting.get_by_role("button", name=f"通过 {koc['name']} 的点评").click()
    approval = console.get_by_role("tooltip").filter(has_text="通过这篇点评并发放 80 积分？")
    approval.get_by_role("button", name="通过").click()
    expect(console.get_by_text("已通过，积分将发放给 KOC")).to_be_visible()
    expect(queue.get_by_text("没有等待审核的点评")).to_be_visible()
    mine = {t["task_id"]: (t["progress"], t["my_status"]) for t in my_tasks(web_stack, koc)["items"]}
    assert mine[review_id] == (1, "completed")

    # The same tab on a phone: a select stands for the tab bar, nothing wider than the screen.
    sign_in_console(phone, tenant, "m1", ("manager",))
    phone.goto("/console/koc?tab=tasks")
    phone_tasks = phone.get_by_role("region", name="任务列表", exact=True)
    expect(row_of(phone_tasks, "发一篇点评").get_by_role("cell").nth(5)).to_have_text("进行中")
    expect(row_of(phone_tasks, "分享到 2 个群").get_by_role("cell").nth(5)).to_have_text("已结束")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, context="the KOC tasks on a phone")
    shoot(phone, "koc-tasks-phone")
    phone.get_by_role("button", name="新建任务").click()
    phone_drawer = phone.get_by_role("dialog", name="新建任务")
    phone_drawer.get_by_role("radiogroup", name="类型").get_by_text("发布点评", exact=True).click()
    expect(phone_drawer.get_by_label("目标数量")).to_be_disabled()
    assert_accessible(phone, context="the task form on a phone")
    shoot(phone, "koc-task-form-phone")
