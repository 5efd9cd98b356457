"""The console's 企业微信 page against the local stack and its fake WeCom: a guide signs in by the
WeCom sign-in's local simulation and sees their customers (the contact linked, statuses) and the
deletion records (流失 in words); an admin syncs the directory, reconciles (repairs shown),
overrides a member's roles, transfers a staff member's customers (per-customer outcomes), sees the
corp's settings (secrets only as "stored", the callback URL) and sets a welcome message with its
preview; a contact shows its WeCom relationships — at desktop and phone width, axe-clean."""

# ruff: noqa: RUF001  (the console speaks Chinese: its full-width punctuation is the text under test)

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in_console
from tests.e2e.conftest import Http

FAKE = "/v1/dev/wecom"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


def eventually(read: Callable[[], Any], done: Callable[[Any], bool], seconds: float = 15) -> Any:
    """The callbacks reach the services through the bus: read until ``done``."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def ok(answer: tuple[int, Any], status: int = 200) -> Any:
    assert answer[0] == status, answer
    return answer[1]


def corp_with_staff(web_stack: Http, tenant: str, *staff: tuple[str, str, bool]) -> dict[str, str]:
    """A corp set up and its directory synced: ``staff`` are (userid, name, department leader)."""
    corp = f"ww{tenant}"
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    settings = {
        "corp_id": corp,
        "token": "QDG6eK",
        "encoding_aes_key": AES_KEY,
        "agent_id": 1000002,
        "secrets": {"contact": "contact-secret", "agent": "agent-secret", "directory": "directory-secret"},
    }
    ok(web_stack.call("PUT", "/v1/wecom/settings", settings, admin))
    for userid, name, leader in staff:
        body = {"corp_id": corp, "userid": userid, "name": name, "is_leader_in_dept": [int(leader)]}
        ok(web_stack.call("POST", f"{FAKE}/staff", body))
    sync(web_stack, admin, "/v1/wecom/directory/syncs")
    return {"corp": corp, "admin": admin}


def sync(web_stack: Http, admin: str, path: str) -> None:
    job = ok(web_stack.call("POST", path, None, admin), 202)
    done = eventually(
        lambda: ok(web_stack.call("GET", f"/v1/wecom/jobs/{job['job_id']}", None, admin)),
        lambda j: j["status"] in ("succeeded", "failed"),
    )
    assert done["status"] == "succeeded", done


def seed(web_stack: Http, tenant: str) -> dict[str, str]:
    """A corp with staff 张三 (zhangsan) and 李四 (lisi) synced, 王芳 a friend of 张三 and 李雷 gone (流失)."""
    made = corp_with_staff(web_stack, tenant, ("zhangsan", "张三", False), ("lisi", "李四", False))
    corp, admin = made["corp"], made["admin"]
    ids = {"corp": corp, "admin": admin}
    for key, name in (("wangfang", "王芳"), ("lilei", "李雷")):
        ids[key] = f"wm{uuid.uuid4().hex[:20]}"
        ok(web_stack.call("POST", f"{FAKE}/customers", {"corp_id": corp, "external_userid": ids[key], "name": name}))
    for action, customer in (("add", "wangfang"), ("add", "lilei"), ("customer_deletes", "lilei")):
        body = {"tenant_id": tenant, "action": action, "userid": "zhangsan", "external_userid": ids[customer]}
        ok(web_stack.call("POST", f"{FAKE}/relationships", body))
    listed = eventually(
        lambda: ok(web_stack.call("GET", "/v1/wecom/relationships?staff_id=zhangsan", None, admin))["items"],
        lambda items: (
            len(items) == 2
            and all(item["contact_id"] for item in items)
            and any(item["status"] == "removed" for item in items)
        ),
    )
    ids["contact"] = next(item["contact_id"] for item in listed if item["external_userid"] == ids["wangfang"])
    return ids


def test_a_guide_signs_in_by_wecom_and_sees_their_customers_and_deletions(
    console: Page, web_stack: Http, tenant: str
) -> None:
    ids = seed(web_stack, tenant)
    console.goto("/console/sign-in")
    console.get_by_label("租户", exact=True).fill(tenant)
    console.get_by_label("企业微信 userid").fill("zhangsan")
    assert_accessible(console, context="the sign-in page with the WeCom sign-in")
    console.get_by_role("button", name="模拟扫码").click()
    console.wait_for_url(re.compile(r"/console/?$"))

    console.goto("/console/wecom")
    expect(console.get_by_role("tab")).to_have_text(["关系", "删除记录"])
    expect(console.get_by_label("员工 ID")).to_have_value("zhangsan")
    row = console.get_by_role("row").filter(has_text="王芳")
    link = row.get_by_role("link", name=ids["contact"])
    expect(link).to_have_attribute("href", f"/console/contacts/{ids['contact']}")
    expect(row).to_contain_text("好友")
    expect(console.get_by_role("row").filter(has_text=ids["lilei"])).to_contain_text("客户删除员工（流失）")
    assert_accessible(console, context="relationships")

    console.get_by_role("tab", name="删除记录").click()
    deletion = console.get_by_role("row").filter(has_text=ids["lilei"])
    expect(deletion).to_contain_text("客户删除员工（流失）")
    expect(deletion).to_contain_text("zhangsan")
    assert_accessible(console, context="deletions")


def test_an_admin_runs_the_directory_transfers_and_settings(
    console: Page, phone: Page, web_stack: Http, tenant: str
) -> None:
    ids = seed(web_stack, tenant)
    sign_in_console(console, tenant, "a1", ("admin",))

    console.goto("/console/wecom?tab=staff")
    expect(console.get_by_role("row").filter(has_text="张三")).to_contain_text("在职")
    console.get_by_role("button", name="对账").click()
    expect(console.get_by_test_id("repairs")).to_contain_text("修复：新增")
    console.get_by_role("button", name="设置角色 李四").click()
    drawer = console.get_by_role("dialog")
    drawer.get_by_role("checkbox", name="经理").check()
    drawer.get_by_role("button", name="保存").click()
    expect(console.get_by_role("row").filter(has_text="李四")).to_contain_text("（手动设置）")
    expect(drawer).to_be_hidden()
    assert_accessible(console, context="staff")

    console.goto("/console/wecom?tab=transfers")
    console.get_by_label("原跟进员工").fill("zhangsan")
    console.get_by_label("接替员工").fill("lisi")
    console.get_by_role("button", name="开始转移").click()
    console.get_by_role("button", name="详情 zhangsan → lisi").click()
    detail = console.get_by_role("dialog")
    expect(detail.get_by_role("row").filter(has_text=ids["wangfang"])).to_be_visible()
    assert_accessible(console, context="a transfer")
    console.keyboard.press("Escape")
    expect(detail).to_be_hidden()

    console.goto(f"/console/contacts/{ids['contact']}")
    section = console.get_by_role("region", name="企业微信关系")
    expect(section.get_by_role("row").filter(has_text="zhangsan")).to_be_visible()

    sign_in_console(phone, tenant, "a1", ("admin",))
    phone.goto("/console/wecom?tab=settings")
    expect(phone.get_by_text("客户联系 Secret")).to_be_visible()
    expect(phone.get_by_text(re.compile(rf"/v1/channels/wecom/{tenant}/callback$"))).to_be_visible()
    phone.get_by_role("button", name="新增欢迎语").click()
    phone.get_by_label("文本").fill("你好 {name}，欢迎光临！")
    expect(phone.get_by_test_id("welcome-preview")).to_have_text("你好 王芳，欢迎光临！")
    assert_accessible(phone, context="a welcome message on a phone")
    phone.get_by_role("button", name="保存").click()
    expect(phone.get_by_role("row").filter(has_text="你好 {name}，欢迎光临！")).to_contain_text("默认")
    assert_accessible(phone, context="settings on a phone")
