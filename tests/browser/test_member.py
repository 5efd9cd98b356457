"""The member H5 (/m/) on a 390 px phone, against the local stack: a channel code's landing URL
signs the member in, records the scan and shows the points as they arrive; then check-in, a
reward's redemption, a complaint, the agent's reply and the member's rating. The data a test does
not create through the H5 is seeded through the API, as staff would."""

# The H5's Chinese uses full-width punctuation, which the assertions match exactly.
# ruff: noqa: RUF001

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from local.frontends import LOCAL_MEMBER_APP_ID
from tests.browser.conftest import ARTIFACTS, assert_accessible
from tests.e2e.conftest import Http

# The whole landing flow (page, sign-in, scan, attribution, credit) normally takes about a second.
POINTS_TIMEOUT_MS = 15_000


def _ok(answer: tuple[int, Any], status: int = 200) -> Any:
    assert answer[0] == status, answer
    return answer[1]


def _member(stack: Http, tenant: str, name: str) -> dict[str, Any]:
    """The member the H5's development sign-in with ``name`` signs in as (same name, same member)."""
    body = {"tenant_id": tenant, "app_id": LOCAL_MEMBER_APP_ID, "code": f"dev:{name}"}
    return dict(_ok(stack.call("POST", "/v1/auth/wechat", body)))


def _view(page: Page, name: str) -> None:
    """Keep this view as an artifact too (test-results/browser/member-<name>-phone.png): the landing's
    is the README's picture of the H5."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"member-{name}-phone.png", full_page=True)


def _sign_in(page: Page, name: str) -> None:
    page.get_by_label("你的名字").fill(name)
    page.get_by_role("button", name="登录").click()


def test_a_member_opens_the_codes_landing_url_signs_in_and_sees_the_awarded_points(
    phone: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "m1", ("manager",))
    campaign = {
        "name": "春季扫码有礼",
        "starts_at": "2025-01-01T00:00:00Z",
        "ends_at": "2035-01-01T00:00:00Z",
        "acquisition_points": 100,
        "engagement_points": 10,
        "points_budget": 10_000,
    }
    campaign_id = _ok(web_stack.call("POST", "/v1/campaigns", campaign, admin), 201)["campaign_id"]
    _ok(web_stack.call("POST", f"/v1/campaigns/{campaign_id}/activate", token=admin))
    code = _ok(web_stack.call("POST", f"/v1/campaigns/{campaign_id}/codes", {"channel": "poster"}, admin), 201)
    url = urlsplit(code["url"])
    # The local stack's default entry URL is this H5's landing page, on the stack's own origin.
    assert f"{url.scheme}://{url.netloc}" == web_stack.base, code["url"]
    assert url.path == "/m/scan", code["url"]
    assert f"scene={code['code']}" in url.query
    assert f"tenant={tenant}" in url.query

    phone.goto(f"{url.path}?{url.query}")
    expect(phone.get_by_role("heading", name="扫码领积分")).to_be_visible()
    expect(phone.get_by_role("heading", name="登录会员中心")).to_be_visible()
    assert_accessible(phone, context="landing: sign-in")
    _view(phone, "landing-sign-in")
    _sign_in(phone, "alice")
    expect(phone.get_by_text("+100 积分")).to_be_visible(timeout=POINTS_TIMEOUT_MS)
    expect(phone.get_by_text("当前余额 100 积分")).to_be_visible()
    assert_accessible(phone, context="landing: points shown")
    _view(phone, "landing")

    phone.get_by_role("button", name="查看我的积分").click()
    expect(phone.get_by_role("heading", name="我的积分")).to_be_visible()
    expect(phone.get_by_test_id("balance")).to_have_text("100")
    expect(phone.get_by_text("扫码入会奖励")).to_be_visible()
    assert_accessible(phone, context="points home")


def test_the_member_checks_in_redeems_a_reward_and_files_a_complaint(phone: Page, web_stack: Http, tenant: str) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    reward = {"name": "保温杯", "description": "316 不锈钢，500 ml", "cost": 300, "stock": 20, "per_member_limit": 2}
    _ok(web_stack.call("POST", "/v1/rewards", reward, admin, headers={"Idempotency-Key": str(uuid.uuid4())}), 201)
    member = _member(web_stack, tenant, "bob")
    _ok(
        web_stack.call(
            "POST",
            f"/v1/contacts/{member['contact_id']}/points/adjustments",
            {"points": 500, "reason": "开业赠送"},
            admin,
            headers={"Idempotency-Key": str(uuid.uuid4())},
        ),
        201,
    )
    today = _ok(web_stack.call("GET", "/v1/me/checkins", token=member["token"]))["today"]

    phone.goto(f"/m/?tenant={tenant}")
    _sign_in(phone, "bob")
    expect(phone.get_by_test_id("balance")).to_have_text("500")
    expect(phone.get_by_text("开业赠送")).to_be_visible()

    nav = phone.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="签到").click()
    expect(phone.get_by_role("heading", name="每日签到")).to_be_visible()
    phone.get_by_role("button", name="签到", exact=True).click()
    expect(phone.get_by_test_id("streak")).to_have_text("已连续签到1天")
    expect(phone.get_by_role("button", name="今日已签到")).to_be_disabled()
    expect(phone.locator(f"td[data-day='{today}']")).to_have_attribute("data-checked", "true")
    assert phone.locator("td[data-checked='true']").count() == 1
    assert_accessible(phone, context="check-in")
    _view(phone, "checkin")

    nav.get_by_role("link", name="兑换").click()
    expect(phone.get_by_test_id("rewards-balance")).to_have_text("可用积分 505")
    expect(phone.get_by_text("我的兑换")).to_be_visible()
    expect(phone.get_by_text("还没有兑换记录")).to_be_visible()
    assert_accessible(phone, context="rewards")
    phone.get_by_role("button", name="兑换 保温杯").click()
    dialog = phone.get_by_role("dialog")
    expect(dialog.get_by_text("用 300 积分兑换「保温杯」？")).to_be_visible()
    dialog.get_by_role("button", name="确认兑换").click()
    expect(phone.get_by_test_id("rewards-balance")).to_have_text("可用积分 205")
    redemptions = phone.get_by_role("list", name="我的兑换")
    expect(redemptions.get_by_text("保温杯")).to_be_visible()
    expect(redemptions.get_by_text("待发放")).to_be_visible()
    expect(phone.get_by_role("button", name="积分不足")).to_be_disabled()  # 205 < 300
    _view(phone, "rewards")

    nav.get_by_role("link", name="服务").click()
    expect(phone.get_by_text("还没有服务单")).to_be_visible()
    phone.get_by_role("button", name="提交投诉或咨询").click()
    expect(phone.get_by_role("heading", name="提交服务单")).to_be_visible()
    phone.get_by_label("类型").select_option(label="投诉")
    phone.get_by_label("标题").fill("快递外箱破损")
    phone.get_by_label("订单号").fill("bad order!")
    phone.get_by_label("详细描述").fill("收到时杯子有凹痕。")
    phone.get_by_role("button", name="提交").click()
    # The API refuses the order id: its error stands under that field.
    order_item = phone.locator(".adm-form-item").filter(has=phone.get_by_label("订单号"))
    expect(order_item.get_by_text("订单号只能包含字母、数字和 _ . : -")).to_be_visible()
    assert_accessible(phone, context="new case with a field error")
    _view(phone, "new-case")
    phone.get_by_label("订单号").fill("SO-20250312-001")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("heading", name="快递外箱破损")).to_be_visible()
    expect(phone.get_by_text("订单号：SO-20250312-001")).to_be_visible()
    phone.get_by_role("button", name=re.compile("返回我的服务单")).click()
    mine = phone.get_by_role("list", name="我的服务单")
    expect(mine.get_by_text("快递外箱破损")).to_be_visible()
    expect(mine.get_by_text("待受理")).to_be_visible()
    assert_accessible(phone, context="my cases")
    cases = _ok(web_stack.call("GET", "/v1/me/cases", token=member["token"]))["items"]
    assert [(c["type"], c["order_id"]) for c in cases] == [("complaint", "SO-20250312-001")]


def test_the_member_sees_the_agents_reply_and_rates_it(phone: Page, web_stack: Http, tenant: str) -> None:
    agent = web_stack.staff_token(tenant, "agent-1", ("agent",))
    member = _member(web_stack, tenant, "carol")
    filed = {"type": "complaint", "subject": "积分没到账", "order_id": "SO-77", "description": "扫码后没有积分。"}
    case = _ok(
        web_stack.call("POST", "/v1/me/cases", filed, member["token"], headers={"Idempotency-Key": str(uuid.uuid4())}),
        201,
    )
    case_id = case["case_id"]
    staff_path = f"/v1/cases/{case_id}"
    _ok(web_stack.call("POST", f"{staff_path}/messages", {"body": "内部：已核对日志", "kind": "note"}, agent), 201)
    _ok(web_stack.call("POST", f"{staff_path}/messages", {"body": "您好，积分已补发，请查收。"}, agent), 201)
    _ok(web_stack.call("PATCH", staff_path, {"status": "resolved", "reason": "积分已补发"}, agent))

    phone.goto(f"/m/cases/{case_id}?tenant={tenant}")
    _sign_in(phone, "carol")
    expect(phone.get_by_role("heading", name="积分没到账")).to_be_visible()
    thread = phone.get_by_role("list", name="沟通记录")
    expect(thread.get_by_text("您好，积分已补发，请查收。")).to_be_visible()
    expect(phone.get_by_text("内部：已核对日志")).to_have_count(0)  # internal notes stay inside
    expect(phone.get_by_text("已解决")).to_be_visible()
    assert_accessible(phone, context="case detail, rating")

    four = phone.get_by_role("radio", name="4 分")
    phone.locator("label").filter(has=four).click()  # the member taps the fourth star
    expect(four).to_be_checked()
    phone.get_by_label("评价（选填）").fill("处理很快")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_text("你的评价：4 分")).to_be_visible()
    csat = _ok(web_stack.call("GET", staff_path, token=agent))["csat"]
    assert (csat["rating"], csat["comment"]) == (4, "处理很快")

    phone.get_by_role("button", name="English").click()
    expect(phone.get_by_text("Your rating: 4 of 5")).to_be_visible()
    expect(phone.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Service")).to_be_visible()
    assert_accessible(phone, context="case detail in English")
