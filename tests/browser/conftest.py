"""In the browser: the built console (/console/) and member H5 (/m/) served by a local stack,
driven by Playwright in a real headless Chromium (Debian's, which ``make test`` installs).

One stack and one browser per test session; a fresh browser context (cookies, storage) per test.
Every test leaves a screenshot of its last page in ``test-results/browser/`` — also when it fails.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, expect, sync_playwright

from bench.web import CHROMIUM_ARGS, find_chromium
from tests.e2e.conftest import Http, running_stack

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-results" / "browser"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


# Web-first assertions wait up to 10 s (Playwright's default is 5): two test workers share the
# machine's two cores with the stacks they drive.
expect.set_options(timeout=10_000)


def chromium_path() -> str:
    return find_chromium() or pytest.fail("no Chromium on this machine: `make test` installs Debian's (make browser)")


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Http]:
    for app in ("console", "member"):
        if not (ROOT / "web" / app / "dist" / "index.html").is_file():
            pytest.fail(f"web/{app} is not built: run `make web` (make test does)")
    with running_stack(tmp_path_factory.mktemp("web-stack"), [sys.executable, "-m", "local"]) as http:
        yield http


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


def _artifact_name(request: pytest.FixtureRequest, suffix: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name) + suffix)


def open_context(browser: Browser, web_stack: Http, *, phone: bool, reduced_motion: str = "reduce") -> BrowserContext:
    """A context as a person who asked their system for less motion, unless told otherwise: the
    console then opens dialogs and drawers in place, so a click is never aimed at a button still
    zooming in (on a loaded machine, Playwright's "stable" check can pass between two slow frames)."""
    options: dict[str, Any] = {
        "base_url": web_stack.base,
        "locale": "zh-CN",
        "accept_downloads": True,
        "reduced_motion": reduced_motion,
    }
    if phone:
        options.update(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    else:
        options.update(viewport=DESKTOP)
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    return context


def _page(
    browser: Browser, web_stack: Http, request: pytest.FixtureRequest, *, phone: bool, suffix: str
) -> Iterator[Page]:
    """A page in a fresh context; afterwards its screenshot, and a failure if the page broke the
    Content-Security-Policy the stack sends (the deployed one): the browser refused something."""
    context = open_context(browser, web_stack, phone=phone)
    page = context.new_page()
    refused: list[str] = []

    def note_refusal(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", note_refusal)
    yield page
    page.screenshot(path=_artifact_name(request, suffix), full_page=True)
    context.close()
    assert not refused, "the page broke its Content-Security-Policy:\n" + "\n".join(refused)


@pytest.fixture
def console(browser: Browser, web_stack: Http, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A desktop page for the staff console; its last view is saved as ``<test>.png``."""
    yield from _page(browser, web_stack, request, phone=False, suffix=".png")


@pytest.fixture
def phone(browser: Browser, web_stack: Http, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A 390 px phone page (the member H5, or the console on a phone); saved as ``<test>-phone.png``."""
    yield from _page(browser, web_stack, request, phone=True, suffix="-phone.png")


@pytest.fixture
def tenant() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


FAKE_WECOM = "/v1/dev/wecom"


def wecom_corp(stack: Http, tenant: str, staff: dict[str, str]) -> str:
    """The tenant's WeCom corp (the fake's), set up by an admin, with ``staff`` (userid → name) in
    the fake's directory (not yet synced); the corp id."""
    corp = f"ww{uuid.uuid4().hex[:12]}"
    admin = stack.staff_token(tenant, "admin1", ("admin",))
    settings = {
        "corp_id": corp,
        "agent_id": 1000002,
        "token": "BrowserToken",
        "encoding_aes_key": "B" * 43,
        "secrets": {"contact": "browser-contact", "agent": "browser-agent"},
    }
    status, body = stack.call("PUT", "/v1/wecom/settings", settings, admin)
    assert status == 200, body
    for userid, name in staff.items():
        status, body = stack.call("POST", f"{FAKE_WECOM}/staff", {"corp_id": corp, "userid": userid, "name": name})
        assert status < 300, body
    return corp


def sign_in_console(page: Page, tenant: str, staff_id: str, roles: tuple[str, ...]) -> None:
    """Through the console's development sign-in form, as a person would."""
    page.goto("/console/sign-in")
    page.get_by_label("租户 ID").fill(tenant)
    page.get_by_label("员工 ID").fill(staff_id)
    for role, label in (("admin", "管理员"), ("manager", "经理"), ("agent", "客服"), ("guide", "导购")):
        box = page.get_by_role("checkbox", name=label)
        if box.is_checked() != (role in roles):
            box.click()
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/console/?$"))


def assert_accessible(page: Page, *, context: str = "") -> None:
    """axe-core on the page as it is now: no serious or critical violation (WCAG 2 A/AA rules).
    A toast or dialog fading in or out, and any other transition (a button's colour as its loading
    state ends), is let finish first: half-way, its text fails the contrast rule it meets once
    settled. Endless animations (spinners, skeletons) are not waited for."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.adm-mask, .adm-toast-main, .ant-modal, .ant-message-notice')]"
        ".every(e => ['0', '1'].includes(getComputedStyle(e).opacity))"
        " && document.getAnimations().every(a => a.playState !== 'running'"
        " || a.effect?.getComputedTiming().iterations === Infinity)",
        timeout=5000,
    )
    if not page.evaluate("() => Boolean(window.axe)"):
        # The page's CSP (the deployed one: script-src 'self') refuses an injected <script>; the
        # DevTools protocol evaluates outside it, as an extension would, and the page stays as served.
        session = page.context.new_cdp_session(page)
        session.send("Runtime.evaluate", {"expression": AXE.read_text()})
        session.detach()
    result = page.evaluate(
        """async (tags) => {
            const r = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""",
        AXE_RULES,
    )
    found = json.dumps(result, indent=1, ensure_ascii=False)
    assert not result, f"accessibility violations on {context or page.url}:\n{found}"
