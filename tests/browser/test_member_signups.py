"""群接龙 on the member H5 (/m/signups/:sheetId) on a 390 px phone: a signed-out member opens the
link staff shared, signs in on it and lands on the sheet, joins (their number), withdraws after a
confirm, and sees a full sheet as full. The group and the sheet are seeded as WeCom and staff would
(the fake WeCom's group callback, the staff API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from local.frontends import LOCAL_MEMBER_APP_ID
from tests.browser.conftest import ARTIFACTS, assert_accessible, wecom_corp
from tests.e2e.conftest import Http, wait_for

FAKE = "/v1/dev/wecom"


def _ok(answer: tuple[int, Any]) -> Any:
    assert answer[0] < 300, answer
    return answer[1]


def _sheet(stack: Http, tenant: str, capacity: int) -> str:
    """A corp with a guide's customer group (announced by WeCom's create callback) and a sheet on it."""
    corp = wecom_corp(stack, tenant, {"guide-1": "导购一"})
    admin = stack.staff_token(tenant, "admin1", ("admin",))
    group = {"corp_id": corp, "chat_id": "wrSignup1", "name": "周末活动群", "owner": "guide-1", "members": []}
    _ok(stack.call("POST", f"{FAKE}/groups", group))
    delivered = _ok(
        stack.call("POST", f"{FAKE}/group-changes", {"tenant_id": tenant, "chat_id": "wrSignup1", "action": "create"})
    )
    assert delivered["status"] == 200, delivered
    wait_for(lambda: stack.call("GET", "/v1/wecom/groups/wrSignup1", token=admin)[0] == 200)
    deadline = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    body = {"chat_id": "wrSignup1", "title": "周六亲子徒步", "capacity": capacity, "deadline": deadline}
    return str(_ok(stack.call("POST", "/v1/wecom/signups", body, admin))["sheet_id"])


def _view(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"member-{name}-phone.png", full_page=True)


def test_a_member_opens_the_shared_link_signs_in_joins_and_withdraws(phone: Page, web_stack: Http, tenant: str) -> None:
    sheet_id = _sheet(web_stack, tenant, capacity=1)

    phone.goto(f"/m/signups/{sheet_id}?tenant={tenant}")
    expect(phone.get_by_role("heading", name="登录会员中心")).to_be_visible()
    phone.get_by_label("你的名字").fill("小明")
    phone.get_by_role("button", name="登录").click()

    expect(phone.get_by_role("heading", name="周六亲子徒步", level=1)).to_be_visible()
    expect(phone).to_have_url(f"{web_stack.base}/m/signups/{sheet_id}?tenant={tenant}")
    expect(phone.get_by_test_id("places-left")).to_have_text("1")
    assert_accessible(phone, context="sign-up sheet")

    phone.get_by_role("button", name="我要报名").click()
    expect(phone.get_by_test_id("my-number")).to_have_text("第 1 号")
    expect(phone.get_by_test_id("places-left")).to_have_text("0")
    assert_accessible(phone, context="joined")
    _view(phone, "signup-joined")

    phone.get_by_role("button", name="取消报名").click()
    dialog = phone.get_by_role("dialog")
    expect(dialog).to_contain_text("取消后你的名额会让给下一位报名的人。")
    dialog.get_by_role("button", name="取消报名").click()
    expect(phone.get_by_role("button", name="我要报名")).to_be_enabled()
    expect(phone.get_by_test_id("places-left")).to_have_text("1")

    # Someone else takes the last place: the sheet reads as full for this member.
    other = _ok(
        web_stack.call(
            "POST", "/v1/auth/wechat", {"tenant_id": tenant, "app_id": LOCAL_MEMBER_APP_ID, "code": "dev:小红"}
        )
    )
    assert (
        _ok(web_stack.call("POST", f"/v1/me/signups/{sheet_id}/entries", token=other["token"]))["my_entry"]["number"]
        == 1
    )
    phone.reload()
    expect(phone.get_by_role("button", name="名额已满")).to_be_disabled()
    assert_accessible(phone, context="full")
    _view(phone, "signup-full")
