"""The frame both frontends share: served from the stack's origin, deep links load the app, the
development sign-in works, the language switches, and the pages pass the accessibility check."""

from __future__ import annotations

import re
import urllib.request

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import assert_accessible, open_context, sign_in_console
from tests.e2e.conftest import Http


def test_a_deep_link_loads_the_console_and_asks_for_sign_in(console: Page) -> None:
    console.goto("/console/contacts")
    expect(console).to_have_url(re.compile(r"/console/sign-in$"))
    expect(console.get_by_role("heading", name="登录思域")).to_be_visible()
    assert_accessible(console)


def test_the_stack_serves_each_frontends_config_and_assets(web_stack: Http) -> None:
    with urllib.request.urlopen(web_stack.base + "/console/config.json") as answer:
        assert b'"mode": "dev"' in answer.read()
    with urllib.request.urlopen(web_stack.base + "/m/config.json") as answer:
        assert b'"appId"' in answer.read()
    with urllib.request.urlopen(web_stack.base + "/m/some/deep/route") as answer:
        assert answer.headers["Content-Type"].startswith("text/html")


def test_the_console_moves_only_for_people_who_did_not_ask_their_system_for_less_motion(
    browser: Browser, web_stack: Http
) -> None:
    for preference, duration in (("no-preference", "0.2s"), ("reduce", "0s")):
        context = open_context(browser, web_stack, phone=False, reduced_motion=preference)
        page = context.new_page()
        page.goto("/console/sign-in")
        sign_in = page.get_by_role("button", name="登录")
        expect(sign_in).to_be_visible()
        assert sign_in.evaluate("b => getComputedStyle(b).transitionDuration") == duration, preference
        context.close()


def test_staff_sign_in_then_switch_to_english(console: Page, tenant: str) -> None:
    sign_in_console(console, tenant, "s1", ("admin",))
    expect(console.get_by_text(f"租户: {tenant}")).to_be_visible()
    console.get_by_role("button", name="English").click()
    expect(console.get_by_role("button", name="Sign out")).to_be_visible()
    console.reload()
    expect(console.get_by_role("button", name="Sign out")).to_be_visible()  # the choice is remembered
    assert_accessible(console)


def test_on_a_phone_the_console_menu_opens_from_the_header_and_nothing_overflows(phone: Page, tenant: str) -> None:
    sign_in_console(phone, tenant, "s1", ("admin",))
    expect(phone.get_by_role("link", name="客户", exact=True)).to_have_count(0)  # no sidebar covering the page
    phone.get_by_role("button", name="菜单").click()
    phone.get_by_role("link", name="客户", exact=True).click()
    expect(phone).to_have_url(re.compile(r"/console/contacts$"))
    expect(phone.get_by_role("dialog")).to_have_count(0)  # the drawer closes on a choice
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone)
