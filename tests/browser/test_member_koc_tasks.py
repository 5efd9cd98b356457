"""KOC 任务 on the member H5 (/m/koc-tasks), against the real API of a local stack: a KOC finds the
page from the points home, sees the brand's tasks with their progress, shares to a group twice (a
friend opening each link in a group, through the H5's landing page) and sees the share task
(target 2) completed, and submits a review that then waits with its link shown;
at a phone's and a laptop's width. A member who is not a KOC reads how to become one. The admin and
the KOC's friend act through the API, as the console and the friend's H5 would; the member becomes
a KOC as in tests/unit/test_koc_tasks.py."""

# ruff: noqa: RUF001  (the H5 speaks Chinese: its full-width punctuation is the text under test)

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ARTIFACTS, assert_accessible
from tests.browser.test_console_koc_tasks import koc_program, my_tasks
from tests.browser.test_console_referrals import ok
from tests.e2e.conftest import Http

# The fixed tab bar drawn at the foot of a full-page capture, where the member sees it.
FOOTED_TAB_BAR = "body { position: relative; min-height: 100vh; } .m-tabbar { position: absolute; }"


def _sign_in(page: Page, name: str) -> None:
    """The H5's development sign-in (the same name is the same member)."""
    page.get_by_label("你的名字").fill(name)
    page.get_by_role("button", name="登录").click()


def _view(page: Page, name: str) -> None:
    """Keep this view as an artifact (test-results/browser/member-<name>.png), the whole page, once
    nothing in it is wider than the viewport."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"member-{name}.png", full_page=True, style=FOOTED_TAB_BAR)


def _task(page: Page, title: str) -> Locator:
    return page.get_by_role("article", name=title)


def test_a_koc_shares_to_groups_completes_a_task_and_submits_a_review(
    phone: Page, console: Page, web_stack: Http, tenant: str
) -> None:
    campaign_id, koc = koc_program(web_stack, tenant, "达人小美", "+86 139 0000 6001")
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    for body in (
        {"title": "发一篇点评", "kind": "post_review", "points": 80},
        {"title": "带来 2 位新朋友", "kind": "bring_visitors", "target": 2, "points": 50},
        {"title": "分享到 2 个群", "kind": "share_groups", "target": 2, "points": 30},
    ):
        ok(web_stack.call("POST", "/v1/koc/tasks", {"campaign_id": campaign_id, **body}, admin), 201)

    phone.goto(f"/m/?tenant={tenant}")
    _sign_in(phone, "达人小美")
    shortcuts = phone.get_by_role("navigation", name="快捷入口")
    expect(phone.get_by_test_id("balance")).to_be_visible()
    _view(phone, "koc-tasks-home-phone")
    shortcuts.get_by_role("button", name="KOC 任务").click()
    expect(phone).to_have_url(f"{web_stack.base}/m/koc-tasks")
    expect(phone.get_by_role("heading", name="KOC 任务", level=1)).to_be_visible()
    expect(phone.get_by_role("article")).to_have_count(3)

    share = _task(phone, "分享到 2 个群")
    expect(share.get_by_text("把活动链接分享到 2 个微信群")).to_be_visible()
    expect(share.get_by_text("活动：老带新")).to_be_visible()
    expect(share.get_by_text("奖励 30 积分")).to_be_visible()
    expect(share.get_by_text("进行中")).to_be_visible()
    bar = share.get_by_role("progressbar", name="分享到 2 个群 的进度")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(bar).to_have_attribute("aria-valuemax", "2")
    visitors = _task(phone, "带来 2 位新朋友")
    expect(visitors.get_by_text("0/2")).to_be_visible()
    expect(visitors.get_by_role("button", name="去邀请好友")).to_be_visible()
    assert_accessible(phone, context="a KOC's tasks, none started")
    _view(phone, "koc-tasks-start-phone")

    # A share to a group gives a link named for it; the tap counts nothing. Someone else opening it
    # in a group does (WeChat adds from=groupmessage to a link shared into a group): the friend
    # opens each of two shares in a group on their own phone's H5 (the laptop's page, for now).
    for opened in (1, 2):
        share.get_by_role("button", name="分享到群").click()
        link = share.get_by_test_id("share-link")
        expect(link).to_have_text(re.compile(rf"^{re.escape(web_stack.base)}/m/scan\?.*&share=sh_[0-9A-Za-z_-]+$"))
        expect(bar).to_have_attribute("aria-valuenow", str(opened - 1))
        console.goto(f"{link.inner_text()}&from=groupmessage&isappinstalled=0")
        if opened == 1:
            _sign_in(console, "群里的朋友")
        # The scan recorded (the invite program gives the friend no points of its own).
        expect(console.get_by_text(re.compile("^(本次扫码没有积分|积分已到账)$"))).to_be_visible(timeout=20_000)
        phone.reload()
        share = _task(phone, "分享到 2 个群")
        bar = share.get_by_role("progressbar", name="分享到 2 个群 的进度")
        expect(bar).to_have_attribute("aria-valuenow", str(opened))
    expect(share.get_by_text("已完成", exact=True)).to_be_visible()
    expect(share.get_by_role("button")).to_have_count(0)
    expect(share.get_by_text("任务已完成，奖励积分发放后可在积分明细中查看。")).to_be_visible()

    # A review: a link that is not https is caught on the field; a good one waits for a manager.
    review = _task(phone, "发一篇点评")
    review.get_by_label("点评链接").fill("http://note.example/1")
    review.get_by_role("button", name="提交审核").click()
    expect(review.get_by_text("请填写以 https:// 开头的完整链接")).to_be_visible()
    assert_accessible(phone, context="a review link refused on its field")
    review.get_by_label("点评链接").fill("https://note.example/xiaomei-1")
    review.get_by_label("备注（选填）").fill("发在小红书")
    review.get_by_role("button", name="提交审核").click()
    expect(review.get_by_text("已提交，等待审核", exact=True)).to_be_visible()
    expect(review.get_by_text("审核中")).to_be_visible()
    expect(review.get_by_role("link", name="https://note.example/xiaomei-1")).to_have_attribute(
        "href", "https://note.example/xiaomei-1"
    )
    expect(review.get_by_role("textbox")).to_have_count(0)
    expect(phone.locator(".adm-toast-main")).to_have_count(0)  # the toast gone, for the picture
    assert_accessible(phone, context="a KOC's tasks, one completed and a review waiting")
    _view(phone, "koc-tasks-phone")

    mine = {t["title"]: (t["progress"], t["my_status"]) for t in my_tasks(web_stack, koc)["items"]}
    assert mine == {
        "分享到 2 个群": (2, "completed"),
        "带来 2 位新朋友": (1, "in_progress"),  # the friend from the group, new to the brand
        "发一篇点评": (0, "submitted"),
    }
    review_id = next(t["task_id"] for t in my_tasks(web_stack, koc)["items"] if t["kind"] == "post_review")
    [waiting] = ok(web_stack.call("GET", f"/v1/koc/tasks/{review_id}/submissions", token=admin))["items"]
    assert (waiting["submission_url"], waiting["submission_note"]) == ("https://note.example/xiaomei-1", "发在小红书")

    # Rejected by a manager: the KOC reads why and may submit again.
    decision = f"/v1/koc/tasks/{review_id}/submissions/{koc['contact_id']}/reject"
    assert web_stack.call("POST", decision, token=admin)[0] == 204

    # The same page at a laptop's width, and in English (the friend signed out first).
    console.evaluate("localStorage.clear()")
    console.goto(f"/m/koc-tasks?tenant={tenant}")
    _sign_in(console, "达人小美")
    wide_review = _task(console, "发一篇点评")
    expect(wide_review.get_by_text("点评未通过审核，请修改后重新提交。")).to_be_visible()
    expect(wide_review.get_by_role("button", name="重新提交")).to_be_visible()
    expect(_task(console, "分享到 2 个群").get_by_text("已完成", exact=True)).to_be_visible()
    assert_accessible(console, context="a KOC's tasks at a laptop's width, a review rejected")
    _view(console, "koc-tasks-desktop")
    console.get_by_role("button", name="English").click()
    expect(console.get_by_role("heading", name="KOC tasks", level=1)).to_be_visible()
    expect(_task(console, "发一篇点评").get_by_text("Not approved", exact=True)).to_be_visible()
    expect(_task(console, "分享到 2 个群").get_by_text("Share the program's link to 2 WeChat groups")).to_be_visible()
    assert_accessible(console, context="a KOC's tasks in English")
    _view(console, "koc-tasks-desktop-en")


def test_a_member_who_is_not_a_koc_reads_how_to_become_one(phone: Page, web_stack: Http, tenant: str) -> None:
    phone.goto(f"/m/koc-tasks?tenant={tenant}")
    _sign_in(phone, "路人甲")
    expect(phone.get_by_role("heading", name="KOC 任务", level=1)).to_be_visible()
    expect(phone.get_by_role("heading", name="成为 KOC 后可领取任务")).to_be_visible()
    expect(phone.get_by_role("article")).to_have_count(0)
    assert_accessible(phone, context="KOC tasks for a member who is not a KOC")
    _view(phone, "koc-tasks-not-koc-phone")
    phone.get_by_role("button", name="去邀请好友").click()
    expect(phone).to_have_url(f"{web_stack.base}/m/referrals")
