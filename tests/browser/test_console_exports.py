"""Exports and bulk tagging in the console, against the local stack: a manager's personal-data
(PIPL) export of a contact with points and a case, followed to its bundle and downloaded (on a
phone); a segment exported to CSV and downloaded, and its members bulk-tagged with the counts
shown; a guide sees none of these actions."""

# ruff: noqa: RUF001  (the console speaks Chinese: its full-width punctuation is the text under test)

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, assert_accessible, sign_in_console
from tests.e2e.conftest import Http, wait_for

JOB_SECONDS = 20_000  # ms: a job followed to its end on the local stack (seconds; generous on 2 cores)


def ok(answer: tuple[int, Any], status: int = 200) -> Any:
    assert answer[0] == status, answer
    return answer[1]


def _contact(web_stack: Http, token: str, name: str, *tags: str) -> str:
    phone = f"139{uuid.uuid4().int % 10**8:08d}"
    body = {"name": name, "phone": phone, "tags": list(tags)}
    return str(ok(web_stack.call("POST", "/v1/contacts", body, token), 201)["contact_id"])


def _segment(web_stack: Http, token: str, tag: str) -> str:
    status, segment = web_stack.call(
        "POST", "/v1/segments", {"name": f"{tag}客户", "rule": {"field": "tag", "op": "has", "value": tag}}, token
    )
    assert status in (200, 201, 202), segment
    return str(segment["segment_id"])


def test_a_manager_exports_a_contacts_personal_data_and_downloads_the_bundle_on_a_phone(
    phone: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    contact_id = _contact(web_stack, admin, "周晓光")
    status, body = web_stack.call(
        "POST", f"/v1/contacts/{contact_id}/points/adjustments", {"points": 321, "reason": "导出测试"}, admin
    )
    assert status in (200, 201), body
    case = {"type": "inquiry", "subject": "导出工单主题", "contact_id": contact_id}
    # Cases learns of a new contact from its event, within seconds: until then it answers 404.
    assert wait_for(lambda: web_stack.call("POST", "/v1/cases", case, admin)[0] == 201, 20)

    sign_in_console(phone, tenant, "m1", ("manager",))
    phone.goto(f"/console/contacts/{contact_id}")
    panel = phone.get_by_role("region", name="个人信息导出")
    expect(panel).to_contain_text("个人信息保护法")
    panel.get_by_role("button", name="导出个人信息").click()
    phone.get_by_role("button", name="开始导出").click()
    expect(panel.get_by_test_id("job-status")).to_have_text("已完成", timeout=JOB_SECONDS)
    with phone.expect_download() as download:
        panel.get_by_role("button", name="下载").click()
    assert download.value.suggested_filename.endswith(".json")
    assert phone.request.get(download.value.url).status == 200
    bundle = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert bundle["export"]["contact_id"] == contact_id
    assert [entry["points"] for entry in bundle["points"]["ledger_entries"]] == [321]
    assert "导出工单主题" in json.dumps(bundle["cases"], ensure_ascii=False)
    assert_accessible(phone, context="contact export: phone")
    panel.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=ARTIFACTS / "contact-export-panel-phone.png")  # the panel as a phone shows it


def test_a_manager_exports_a_segment_to_csv_and_bulk_tags_its_members(
    console: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    members = {_contact(web_stack, admin, name, "VIP") for name in ("钱一", "孙二")}
    segment_id = _segment(web_stack, admin, "VIP")

    sign_in_console(console, tenant, "m1", ("manager",))
    console.goto(f"/console/segments?segment={segment_id}")
    expect(console.get_by_test_id("segment-count")).to_have_text("2", timeout=15_000)
    console.get_by_role("button", name="导出 CSV").click()
    export = console.get_by_role("region", name="导出分群成员")
    expect(export.get_by_test_id("job-status")).to_have_text("已完成", timeout=JOB_SECONDS)
    expect(export).to_contain_text("已导出 2 行")
    with console.expect_download() as download:
        export.get_by_role("button", name="下载").click()
    assert console.request.get(download.value.url).status == 200
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("contact_id,name,phone,email,tags")
    assert {line.split(",")[0] for line in lines[1:]} == members
    assert_accessible(console, context="segment export")

    console.get_by_role("button", name="批量打标签").click()
    tagging = console.get_by_role("region", name="批量打标签")
    tagging.get_by_role("button", name="执行").click()
    expect(console.get_by_text("请输入标签")).to_be_visible()
    tagging.get_by_label("标签", exact=True).fill("金卡")
    tagging.get_by_role("button", name="执行").click()
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text("给 2 位成员添加标签“金卡”？")
    dialog.get_by_role("button", name="确认执行").click()
    counts = tagging.get_by_test_id("bulk-tag-counts")
    expect(counts.locator(".ant-statistic").filter(has_text="已变更")).to_contain_text("2", timeout=JOB_SECONDS)
    expect(counts.locator(".ant-statistic").filter(has_text="无需变更")).to_contain_text("0")
    expect(counts.locator(".ant-statistic").filter(has_text="失败")).to_contain_text("0")
    assert_accessible(console, context="segment bulk tag")
    for contact_id in members:
        assert "金卡" in ok(web_stack.call("GET", f"/v1/contacts/{contact_id}", token=admin))["tags"]


def test_a_guide_sees_no_export_or_bulk_tagging(console: Page, web_stack: Http, tenant: str) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    contact_id = _contact(web_stack, admin, "吴三", "VIP")
    ok(web_stack.call("PUT", f"/v1/contacts/{contact_id}/owner", {"staff_id": "g1"}, admin))  # a guide sees their own
    segment_id = _segment(web_stack, admin, "VIP")
    sign_in_console(console, tenant, "g1", ("guide",))
    console.goto(f"/console/segments?segment={segment_id}")
    expect(console.get_by_test_id("segment-count")).to_have_text("1", timeout=15_000)
    expect(console.get_by_role("button", name="导出 CSV")).to_have_count(0)
    expect(console.get_by_role("button", name="批量打标签")).to_have_count(0)
    assert_accessible(console, context="segment: guide")
    console.goto(f"/console/contacts/{contact_id}")
    expect(console.get_by_role("heading", name="吴三")).to_be_visible()
    expect(console.get_by_role("region", name="个人信息导出")).to_have_count(0)
    expect(console.get_by_role("button", name=re.compile("导出"))).to_have_count(0)
    assert_accessible(console, context="contact: guide")
