"""Referral (裂变) programs and KOCs in the console, against the real API of a local stack: a
manager sets a program up in the campaign form (the API refusing stages that do not rise, on the
stages), reviews its invitations — pending, qualified, a self-invite rejected with its reason — and
its leaderboard; the KOC page lists a flagged KOC, draws its network with a table of the same
invitations, keeps the rule read-only for managers and editable for admins, and is closed to guides.
Members act through the API as the H5 would: sign in, open an invite link (a scan of their inviter's
code from ``GET /v1/me/referrals``), bind a phone (``dev-phone:`` codes)."""

# ruff: noqa: RUF001  (the console speaks Chinese: its full-width punctuation is the text under test)

from __future__ import annotations

import operator
import re
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from playwright.sync_api import Page, ViewportSize, expect

from local.frontends import LOCAL_MEMBER_APP_ID
from tests.browser.conftest import ARTIFACTS, assert_accessible, sign_in_console
from tests.e2e.conftest import Http

# The screenshots of these pages are looked at, at a laptop's and a phone's width.
LAPTOP: ViewportSize = {"width": 1280, "height": 900}
SCHEDULE = {"starts_at": "2025-01-01T00:00:00Z", "ends_at": "2035-01-01T00:00:00Z"}


def ok(answer: tuple[int, Any], status: int = 200) -> Any:
    assert answer[0] == status, answer
    return answer[1]


def eventually(read: Callable[[], Any], done: Callable[[Any], bool], seconds: float = 20) -> Any:
    """Invitations, qualification and the network follow events: read until ``done`` (the stack's
    delivery, not a fixed wait)."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"the events did not settle: {value}"
        time.sleep(0.1)


def member(stack: Http, tenant: str, name: str) -> dict[str, Any]:
    """A member signed in through the H5's development sign-in (same name, same member), who gave
    their name in the H5's profile: the console calls them by it."""
    body = {"tenant_id": tenant, "app_id": LOCAL_MEMBER_APP_ID, "code": f"dev:{name}"}
    signed_in = dict(ok(stack.call("POST", "/v1/auth/wechat", body)))
    ok(stack.call("PATCH", "/v1/me", {"name": name}, signed_in["token"]))
    return signed_in | {"name": name}


def invite_code(stack: Http, inviter: dict[str, Any]) -> str:
    """The inviter's own invite code in the tenant's (only) open referral program."""
    programs = ok(stack.call("GET", "/v1/me/referrals", token=inviter["token"]))["items"]
    assert len(programs) == 1, programs
    return str(programs[0]["code"])


def open_invite(stack: Http, who: dict[str, Any], code: str) -> None:
    ok(stack.call("POST", "/v1/scans", {"code": code}, who["token"]), 202)


def bind_phone(stack: Http, who: dict[str, Any], phone: str) -> None:
    ok(stack.call("POST", "/v1/me/phone", {"code": f"dev-phone:{phone}"}, who["token"]))


def invitations(stack: Http, token: str, campaign_id: str) -> list[dict[str, Any]]:
    return list(ok(stack.call("GET", f"/v1/campaigns/{campaign_id}/invitations", token=token))["items"])


def shoot(page: Page, name: str) -> None:
    """Keep this view as an artifact (test-results/browser/<name>.png), the whole page, once it fits
    the viewport's width (a chart redraws for a resized window on its next frame)."""
    page.wait_for_function("() => document.documentElement.scrollWidth <= window.innerWidth", timeout=5000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def test_a_manager_sets_up_a_referral_program_and_reviews_its_invitations_and_leaderboard(
    console: Page, phone: Page, web_stack: Http, tenant: str
) -> None:
    sign_in_console(console, tenant, "m1", ("manager",))
    console.get_by_role("link", name="活码与活动").click()
    console.get_by_role("button", name="新建活动").click()
    drawer = console.get_by_role("dialog", name="新建活动")
    drawer.get_by_label("名称", exact=True).fill("老带新 春季")
    expect(drawer.get_by_label("阶段 1 邀请人数")).to_have_count(0)  # a standard campaign has no stages
    drawer.get_by_role("radiogroup", name="活动类型").get_by_text("裂变（老带新）").click()
    expect(drawer.get_by_role("radio", name="裂变（老带新）")).to_be_checked()
    drawer.get_by_label("阶段 1 邀请人数").fill("1")
    drawer.get_by_label("阶段 1 奖励积分").fill("100")
    drawer.get_by_role("button", name="添加阶段").click()
    drawer.get_by_label("阶段 2 邀请人数").fill("1")
    drawer.get_by_label("阶段 2 奖励积分").fill("200")
    drawer.get_by_label("新人奖励积分").fill("20")
    drawer.get_by_role("button", name="新建").click()

    # The API refuses stages that do not rise: its error shows under the stages, nothing is created.
    stages = drawer.get_by_role("group", name="阶段奖励")
    expect(stages.get_by_text(re.compile("stage 2 must need more invitees than stage 1"))).to_be_visible()
    expect(console).to_have_url(re.compile(r"/console/campaigns$"))
    assert_accessible(console, context="the referral form with the API's field error")
    shoot(console, "referral-form-desktop")
    drawer.get_by_label("阶段 2 邀请人数").fill("3")
    drawer.get_by_role("button", name="新建").click()
    expect(console).to_have_url(re.compile(r"/console/campaigns/[^/?]+$"))
    campaign_id = console.url.rsplit("/", 1)[1]
    expect(console.get_by_role("heading", name="老带新 春季", level=1)).to_be_visible()
    console.get_by_role("button", name="启动").click()
    confirm = console.get_by_role("dialog", name=re.compile("启动活动"))
    confirm.get_by_role("button", name="启动").click()
    expect(confirm).to_be_hidden()

    rules = console.get_by_role("region", name="裂变规则", exact=True)
    expect(rules.get_by_text("满 1 人得 100 积分")).to_be_visible()
    expect(rules.get_by_text("满 3 人得 200 积分")).to_be_visible()
    expect(rules.get_by_text("注册并绑定手机号")).to_be_visible()
    invited = console.get_by_role("region", name="邀请记录", exact=True)
    board = console.get_by_role("region", name="邀请排行榜", exact=True)
    expect(invited.get_by_text("还没有邀请记录")).to_be_visible()
    expect(board.get_by_text("还没有达标的邀请")).to_be_visible()

    # A member invites a new contact, and opens their own link too (a self-invite, rejected).
    manager = web_stack.staff_token(tenant, "m1", ("manager",))
    inviter = member(web_stack, tenant, "邀请人")
    newcomer = member(web_stack, tenant, "新朋友")
    code = invite_code(web_stack, inviter)
    open_invite(web_stack, newcomer, code)
    open_invite(web_stack, inviter, code)
    eventually(lambda: invitations(web_stack, manager, campaign_id), lambda rows: len(rows) == 2)

    console.reload()
    newcomer_row = invited.get_by_role("row").filter(has=console.get_by_role("link", name=newcomer["name"], exact=True))
    expect(newcomer_row.get_by_text("待达标")).to_be_visible()
    expect(newcomer_row.get_by_role("link", name=inviter["name"], exact=True)).to_have_attribute(
        "href", f"/console/contacts/{inviter['contact_id']}"
    )
    rejected_row = invited.get_by_role("row").filter(has_text="自己邀请自己")
    expect(rejected_row.get_by_text("已拒绝")).to_be_visible()
    expect(rejected_row.get_by_role("link", name=inviter["name"], exact=True)).to_have_count(2)  # invitee and inviter
    assert_accessible(console, context="a referral program's pending and rejected invitations")

    # The fraud review queue: only the rejected ones, and a link to it.
    invited.get_by_text("已拒绝", exact=True).first.click()
    expect(console).to_have_url(re.compile(r"\?invitations=rejected$"))
    expect(invited.get_by_role("link", name=newcomer["name"], exact=True)).to_have_count(0)
    expect(invited.get_by_text("自己邀请自己")).to_be_visible()
    invited.get_by_text("全部", exact=True).click()
    expect(invited.get_by_role("link", name=newcomer["name"], exact=True)).to_be_visible()

    # The newcomer binds a phone: qualified, counted for the inviter, who reaches stage 1.
    bind_phone(web_stack, newcomer, "+86 139 0000 2001")
    eventually(
        lambda: ok(web_stack.call("GET", f"/v1/campaigns/{campaign_id}/leaderboard", token=manager))["items"],
        lambda rows: rows == [{"inviter_id": inviter["contact_id"], "qualified": 1, "points": 100}],
    )
    console.reload()
    expect(newcomer_row.get_by_text("已达标")).to_be_visible()
    expect(newcomer_row.get_by_text("已计入阶段", exact=True)).to_be_visible()
    leader = board.get_by_role("row").filter(has=console.get_by_role("link", name=inviter["name"], exact=True))
    expect(leader.get_by_role("cell")).to_have_text(["1", inviter["name"], "1", "阶段 1", "100"])
    assert_accessible(console, context="a qualified invitee and the leaderboard")
    console.set_viewport_size(LAPTOP)
    invited.scroll_into_view_if_needed()
    shoot(console, "referral-campaign-desktop")

    sign_in_console(phone, tenant, "m1", ("manager",))
    phone.goto(f"/console/campaigns/{campaign_id}?invitations=rejected")
    phone_invited = phone.get_by_role("region", name="邀请记录", exact=True)
    expect(phone_invited.get_by_text("自己邀请自己")).to_be_visible()
    expect(phone.get_by_role("region", name="邀请排行榜", exact=True).get_by_text("阶段 1")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, context="a referral program's sections on a phone")
    shoot(phone, "referral-campaign-phone")

    # Its rules open for editing, the kind kept.
    phone.get_by_role("button", name="编辑活动").click()
    editing = phone.get_by_role("dialog", name="编辑活动")
    expect(editing.get_by_role("radio", name="裂变（老带新）")).to_be_checked()
    expect(editing.get_by_role("radio", name="裂变（老带新）")).to_be_disabled()
    expect(editing.get_by_label("阶段 2 邀请人数")).to_have_value("3")
    assert_accessible(phone, context="editing a referral program on a phone")
    editing.get_by_label("阶段 2 邀请人数").scroll_into_view_if_needed()
    phone.screenshot(path=ARTIFACTS / "referral-form-phone.png")


def test_the_koc_page_shows_a_flagged_koc_and_its_network_and_is_closed_to_guides(
    console: Page, phone: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    rule = {"direct_weight": 3, "downstream_weight": 1, "gmv_weight": 0.01, "min_downstream": 1, "window_days": 90}
    ok(web_stack.call("PUT", "/v1/koc/rule", rule, admin))
    program = {
        "name": "老带新",
        "kind": "referral",
        "points_budget": 10_000,
        "referral": {"stages": [{"invitees": 1, "points": 50}], "qualifying_action": "phone_bound"},
        **SCHEDULE,
    }
    campaign_id = ok(web_stack.call("POST", "/v1/campaigns", program, admin), 201)["campaign_id"]
    ok(web_stack.call("POST", f"/v1/campaigns/{campaign_id}/activate", token=admin))

    # A chain of invitations: A brought B, who brought C; each qualified by binding a phone.
    a, b, c = (member(web_stack, tenant, name) for name in ("甲", "乙", "丙"))

    def inviter_of(who: dict[str, Any]) -> Any:
        return ok(web_stack.call("GET", f"/v1/contacts/{who['contact_id']}/network", token=admin))["root"]["inviter_id"]

    for number, (inviter, invitee) in enumerate(((a, b), (b, c))):
        open_invite(web_stack, invitee, invite_code(web_stack, inviter))
        bind_phone(web_stack, invitee, f"+86 139 0000 30{number:02d}")
        eventually(partial(inviter_of, invitee), partial(operator.eq, inviter["contact_id"]))
    eventually(
        lambda: {row["contact_id"] for row in ok(web_stack.call("GET", "/v1/koc", token=admin))["items"]},
        lambda kocs: kocs == {a["contact_id"], b["contact_id"]},
    )

    sign_in_console(console, tenant, "m1", ("manager",))
    console.get_by_role("link", name="KOC 影响力").click()
    expect(console).to_have_url(re.compile(r"/console/koc$"))
    expect(console.get_by_role("heading", name="KOC 与影响力", level=1)).to_be_visible()
    kocs = console.get_by_role("region", name="KOC 列表", exact=True)
    row = kocs.get_by_role("row").filter(has=console.get_by_role("link", name=a["name"], exact=True))
    flagged = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
    expect(row.get_by_role("cell")).to_have_text([a["name"], "5", "1", "2", "¥0.00", flagged, "关系网"])
    rule_form = console.get_by_role("region", name="识别规则", exact=True)
    expect(rule_form.get_by_text("仅管理员可修改识别规则。")).to_be_visible()
    expect(rule_form.get_by_label("下游达标人数门槛")).to_be_disabled()
    expect(rule_form.get_by_label("下游达标人数门槛")).to_have_value("1")
    expect(rule_form.get_by_role("button", name="保存")).to_have_count(0)
    network = console.get_by_role("region", name="关系网络", exact=True)
    expect(network.get_by_text("选择一位客户查看其邀请关系网")).to_be_visible()
    assert_accessible(console, context="the KOC page")

    row.get_by_role("button", name=f"查看 {a['name']} 的关系网").click()
    expect(console).to_have_url(re.compile(rf"/console/koc\?contact={a['contact_id']}$"))
    expect(network.get_by_role("img", name=f"{a['name']} 的邀请关系网（3 层）")).to_be_visible()
    expect(network.locator("svg")).to_have_count(1)  # ECharts drew the graph
    expect(network.get_by_text(f"{a['name']} 带来 2 位客户（3 层内），连线 2 条。")).to_be_visible()
    expect(network.get_by_text("KOC", exact=True)).to_be_visible()
    edges = network.get_by_role("table").get_by_role("row")
    expect(edges.nth(1).get_by_role("cell").nth(0)).to_have_text("第 1 层")
    expect(edges.nth(1).get_by_role("cell").nth(1)).to_have_text(a["name"])
    expect(edges.nth(1).get_by_role("cell").nth(2)).to_have_text(b["name"])
    expect(edges.nth(2).get_by_role("cell").nth(0)).to_have_text("第 2 层")
    expect(edges.nth(2).get_by_role("cell").nth(2)).to_have_text(c["name"])
    expect(edges.nth(2).get_by_role("cell").nth(3)).to_have_text("老带新")  # the program by its name
    assert_accessible(console, context="a KOC's network")
    console.set_viewport_size(LAPTOP)
    shoot(console, "koc-desktop")

    # One level down: C, whom B brought, is not shown.
    network.get_by_text("1 层", exact=True).click()
    expect(console).to_have_url(re.compile(r"depth=1"))
    expect(network.get_by_role("img", name=f"{a['name']} 的邀请关系网（1 层）")).to_be_visible()
    expect(network.get_by_role("link", name=c["name"], exact=True)).to_have_count(0)
    expect(network.get_by_role("link", name=b["name"], exact=True)).to_be_visible()
    # B's own network, from its row.
    network.get_by_role("button", name=f"查看 {b['name']} 的关系网").click()
    expect(network.get_by_role("img", name=f"{b['name']} 的邀请关系网（1 层）")).to_be_visible()
    expect(network.get_by_role("link", name=c["name"], exact=True)).to_be_visible()

    # An admin changes the rule, on a phone.
    sign_in_console(phone, tenant, "a1", ("admin",))
    phone.goto(f"/console/koc?contact={a['contact_id']}")
    phone_rule = phone.get_by_role("region", name="识别规则", exact=True)
    phone_rule.get_by_label("影响力分门槛").fill("50")
    phone_rule.get_by_role("button", name="保存").click()
    expect(phone.get_by_text("识别规则已保存")).to_be_visible()
    assert ok(web_stack.call("GET", "/v1/koc/rule", token=admin))["min_score"] == 50
    phone_network = phone.get_by_role("region", name="关系网络", exact=True)
    expect(phone_network.get_by_role("img", name=f"{a['name']} 的邀请关系网（3 层）")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, context="the KOC page on a phone")
    shoot(phone, "koc-phone")

    # A guide sees no KOC menu entry, and the page refuses them.
    console.get_by_role("button", name="退出登录").click()
    sign_in_console(console, tenant, "g1", ("guide",))
    expect(console.get_by_role("link", name="KOC 影响力")).to_have_count(0)
    console.goto("/console/koc")
    expect(console.get_by_text("无权访问")).to_be_visible()
    assert_accessible(console, context="the KOC page refusing a guide")
