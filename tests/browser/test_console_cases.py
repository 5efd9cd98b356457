"""The agents' workplace in the console, and the member's side of it in one chain: an agent sees a
member's complaint in the inbox, comes online and gets it, replies with a knowledge-base
suggestion, leaves an internal note, resolves it — then the member opens the case in the H5, sees
the reply (not the note) and rates it, and the rating is recorded on the case."""

# ruff: noqa: RUF001 (Chinese text is written with Chinese punctuation)
from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from local.frontends import LOCAL_MEMBER_APP_ID
from tests.browser.conftest import assert_accessible, sign_in_console
from tests.e2e.conftest import Http

AGENT = "agent-e2e"
SUBJECT = "保温杯漏水"
ARTICLE: dict[str, Any] = {
    "title": "保温杯漏水怎么办",
    "body": "您好，保温杯漏水多半是杯盖密封圈没有装好，请取下密封圈重新压紧；如仍漏水，我们为您免费换新。",
    "keywords": ["漏水", "保温杯"],
}
NOTE = "会员第二次反映，已申请换新库存"
MEMBER = "alice"  # the H5's development sign-in name: the same name is the same member
RATING_COMMENT = "回复很快，问题解决了"


def _ok(answer: tuple[int, Any], status: int = 200) -> Any:
    assert answer[0] == status, answer
    return answer[1]


def _desk(web_stack: Http, tenant: str) -> tuple[str, str]:
    """A complaints queue, an agent serving it (offline for now), a knowledge-base article, and a
    member's complaint waiting in the queue. Answers the case id and the member's token."""
    admin = web_stack.staff_token(tenant, "admin-1", ("admin",))
    queue = {"name": "投诉", "rank": 10, "rules": [{"types": ["complaint"]}], "is_default": True}
    _ok(web_stack.call("PUT", "/v1/queues/complaints", queue, admin))
    agent = {"queues": ["complaints"], "availability": "offline", "capacity": 5}
    _ok(web_stack.call("PUT", f"/v1/agents/{AGENT}", agent, admin))
    _ok(web_stack.call("POST", "/v1/kb/articles", ARTICLE, admin), 201)
    # Signed in as the H5 signs in (its app, a development code): the member who opens the H5
    # later with the same name is this one.
    signed_in = {"tenant_id": tenant, "app_id": LOCAL_MEMBER_APP_ID, "code": f"dev:{MEMBER}"}
    member = _ok(web_stack.call("POST", "/v1/auth/wechat", signed_in))["token"]
    complaint = {
        "type": "complaint",
        "subject": SUBJECT,
        "description": "保温杯第一次用就漏水，希望换新",
        "order_id": "ORD-1001",
    }
    filed = _ok(web_stack.call("POST", "/v1/me/cases", complaint, member), 201)
    return str(filed["case_id"]), str(member)


def test_an_agent_answers_a_complaint_with_a_suggestion_and_resolves_it(
    console: Page, phone: Page, web_stack: Http, tenant: str
) -> None:
    case_id, member = _desk(web_stack, tenant)

    sign_in_console(console, tenant, AGENT, ("agent",))
    console.goto("/console/cases")
    expect(console.get_by_role("heading", name="工单收件箱")).to_be_visible()
    row = console.get_by_role("row").filter(has=console.get_by_role("link", name=SUBJECT))
    expect(row.get_by_text(re.compile(r"^首次响应：剩余"))).to_be_visible()
    expect(row.get_by_text("待分配")).to_be_visible()
    assert_accessible(console, context="the inbox")

    # Coming online hands the waiting complaint to the agent.
    console.get_by_role("radiogroup", name="我的接待状态").get_by_text("在线").click()
    expect(row.get_by_role("cell", name=AGENT)).to_be_visible()
    console.get_by_role("combobox", name="处理人").click()
    console.locator(".ant-select-item-option").get_by_text("我的", exact=True).click()
    expect(console).to_have_url(re.compile(r"/console/cases\?assignee=me$"))
    row.get_by_role("link", name=SUBJECT).click()

    expect(console).to_have_url(re.compile(rf"/console/cases/{case_id}$"))
    expect(console.get_by_role("heading", name=SUBJECT, level=1)).to_be_visible()
    console.get_by_role("button", name=f"插入“{ARTICLE['title']}”").click()
    expect(console.get_by_role("textbox", name="回复内容")).to_have_value(ARTICLE["body"])
    console.get_by_role("button", name="发送回复").click()
    reply = console.locator("article[data-kind=outbound]").filter(has_text=str(ARTICLE["body"]))
    expect(reply.get_by_text("已送达")).to_be_visible()  # the local fake channel delivered it

    console.get_by_role("radiogroup", name="发送方式").get_by_text("内部备注").click()
    console.get_by_role("textbox", name="备注内容（仅员工可见）").fill(NOTE)
    console.get_by_role("button", name="添加备注").click()
    expect(console.locator("article[data-kind=note]").filter(has_text=NOTE)).to_be_visible()

    console.get_by_role("button", name="解决", exact=True).click()
    expect(console.get_by_test_id("case-status")).to_have_text("已解决")
    expect(console.get_by_text("解决：已达成")).to_be_visible()
    # What the agent can do next with a resolved case: close or reopen it, not resolve it again.
    expect(console.get_by_role("button", name="解决", exact=True)).to_have_count(0)
    close = console.get_by_role("button", name="关闭", exact=True)
    expect(close).to_be_enabled()
    # The pointer rested on 解决, where 关闭 now is: move it away, and let the button's hover
    # transition end before axe reads its colours (whatever colours the theme gives it).
    console.mouse.move(0, 0)
    console.wait_for_function(
        "button => button.getAnimations({subtree: true}).length === 0", arg=close.element_handle()
    )
    assert_accessible(console, context="the case view")

    seen = _ok(web_stack.call("GET", f"/v1/me/cases/{case_id}", token=member))
    assert seen["status"] == "resolved"
    bodies = [message["body"] for message in seen["messages"]]
    assert bodies == [ARTICLE["body"]]  # the reply, and not the internal note

    sign_in_console(phone, tenant, AGENT, ("agent",))
    phone.goto(f"/console/cases/{case_id}")
    expect(phone.locator("article[data-kind=note]").filter(has_text=NOTE)).to_be_visible()
    expect(phone.get_by_role("button", name="重新打开")).to_be_visible()

    # The member opens the case in the H5 (the same phone), signs in with the same name, sees the
    # agent's reply and not the note, and rates it.
    phone.goto(f"/m/cases/{case_id}?tenant={tenant}")
    phone.get_by_label("你的名字").fill(MEMBER)
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("heading", name=SUBJECT)).to_be_visible()
    thread = phone.get_by_role("list", name="沟通记录")
    expect(thread.get_by_text(str(ARTICLE["body"]))).to_be_visible()
    expect(phone.get_by_text(NOTE)).to_have_count(0)
    expect(phone.get_by_text("已解决")).to_be_visible()
    five = phone.get_by_role("radio", name="5 分")
    phone.locator("label").filter(has=five).click()  # the member taps the fifth star
    expect(five).to_be_checked()
    phone.get_by_label("评价（选填）").fill(RATING_COMMENT)
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_text("你的评价：5 分")).to_be_visible()
    assert_accessible(phone, context="the member's rated case")

    agent = web_stack.staff_token(tenant, AGENT, ("agent",))
    rated = _ok(web_stack.call("GET", f"/v1/cases/{case_id}", token=agent))
    assert (rated["csat"]["rating"], rated["csat"]["comment"]) == (5, RATING_COMMENT)
    assert rated["status"] == "resolved"
