"""The console's import wizard in the browser, against the local stack: a small CSV with one
malformed row is chosen, uploaded to its signed URL, started and followed to its counts and its
row error; the past imports list and the page on a phone."""

# ruff: noqa: RUF001 (Chinese text is written with Chinese punctuation)
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in_console
from tests.e2e.conftest import Http

CSV = (
    "name,phone,email,tags,attr.size\n"
    "王芳,13900000001,,VIP|老客,M\n"
    "李雷,not-a-phone,,,L\n"
    "韩梅梅,,hmm@example.com,新客,S\n"
)


def test_an_admin_imports_a_csv_and_sees_the_counts_and_the_row_error(
    console: Page, web_stack: Http, tenant: str, tmp_path: Path
) -> None:
    csv = tmp_path / "crm.csv"
    csv.write_text(CSV, encoding="utf-8")
    sign_in_console(console, tenant, "a1", ("admin",))
    console.get_by_role("navigation").get_by_role("link", name="导入客户").click()
    expect(console).to_have_url(re.compile(r"/console/imports$"))
    expect(console.get_by_text("还没有导入记录")).to_be_visible()
    with console.expect_download() as download:
        console.get_by_role("button", name=re.compile("下载示例文件")).click()
    assert download.value.suggested_filename == "contacts-sample.csv"
    assert_accessible(console, context="imports: start")

    console.get_by_label("选择 CSV 文件").set_input_files(csv)
    expect(console.get_by_text("已选择：crm.csv")).to_be_visible()
    console.get_by_role("button", name="开始导入").click()
    expect(console.get_by_test_id("import-status")).to_have_text("已完成", timeout=20_000)
    counts = {label: console.locator(".ant-statistic").filter(has_text=label) for label in ("新建", "失败")}
    expect(counts["新建"]).to_contain_text("2")
    expect(counts["失败"]).to_contain_text("1")
    errors = console.get_by_role("table").first
    expect(errors.get_by_role("row").filter(has_text="not a phone number")).to_contain_text("3")
    expect(errors).to_contain_text("phone")
    past = console.get_by_role("region", name="历史导入")
    expect(past.get_by_role("row").filter(has=console.get_by_role("button", name="crm.csv"))).to_contain_text("已完成")
    assert_accessible(console, context="imports: done")

    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    assert web_stack.call("GET", "/v1/contacts?phone=13900000001", token=admin)[1]["items"]


def test_the_import_page_on_a_phone(phone: Page, tenant: str, tmp_path: Path) -> None:
    csv = tmp_path / "one.csv"
    csv.write_text("name,phone\n张三,13900000002\n", encoding="utf-8")
    sign_in_console(phone, tenant, "m1", ("manager",))
    phone.goto("/console/imports")
    phone.get_by_label("选择 CSV 文件").set_input_files(csv)
    phone.get_by_role("button", name="开始导入").click()
    expect(phone.get_by_test_id("import-status")).to_have_text("已完成", timeout=20_000)
    expect(phone.get_by_text("没有错误行")).to_be_visible()
    assert_accessible(phone, context="imports: phone")
