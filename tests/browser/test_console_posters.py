"""A referral program's poster (海报) in the console, against the real API of a local stack: a manager
opens the program's page and sees a sample member's poster on the default background; a file over
180 KiB is refused before it is sent and one the API refuses (over 2,000 pixels a side) shows the
API's words; a background they upload (a PNG made here) is what the preview is drawn on next; going
back to the default background after confirming brings the default back. On a phone the section
fits the screen; a guide, who may not preview posters, sees no poster section."""

# ruff: noqa: RUF001  (the console speaks Chinese: its full-width punctuation is the text under test)

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image
from playwright.sync_api import Locator, Page, ViewportSize, expect

from tests.browser.conftest import ARTIFACTS, assert_accessible, sign_in_console
from tests.e2e.conftest import Http

LAPTOP: ViewportSize = {"width": 1280, "height": 900}
PROGRAM = {
    "name": "春季老带新",
    "kind": "referral",
    "points_budget": 5_000,
    "starts_at": "2025-01-01T00:00:00Z",
    "ends_at": "2035-01-01T00:00:00Z",
    "referral": {"stages": [{"invitees": 1, "points": 100}], "qualifying_action": "phone_bound"},
}
RED = (220, 20, 60)
# The default backdrop's colour at the top of the poster (services/campaigns/logic/posters.py).
DEFAULT_TOP = (11, 122, 85)
# The colour of the preview's pixel at (x, y) of the poster (750 x 1334), read through a canvas: the
# image is an object URL of this page, so the canvas may read it.
PIXEL = """(img, [x, y]) => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    return Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3));
}"""
TOP = (375, 40)  # above the program's name: only the background is drawn there
# Whether an object URL still loads, as an image (the page's CSP lets images, not fetch, read blob: URLs).
STILL_THERE = """url => new Promise((resolve) => {
    const image = new Image();
    image.onload = () => resolve(true);
    image.onerror = () => resolve(false);
    image.src = url;
})"""


def ok(answer: tuple[int, object], status: int = 200) -> object:
    assert answer[0] == status, answer
    return answer[1]


def shoot(page: Page, name: str) -> None:
    """Keep this view as an artifact (test-results/browser/<name>.png), the whole page, once it fits
    the viewport's width."""
    page.wait_for_function("() => document.documentElement.scrollWidth <= window.innerWidth", timeout=5000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def loaded(preview: Locator) -> None:
    expect(preview).to_have_js_property("naturalWidth", 750)
    expect(preview).to_have_js_property("naturalHeight", 1334)


def near(colour: list[int], expected: tuple[int, int, int], tolerance: int = 3) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def upload(page: Page, section: Locator, path: Path) -> None:
    """Through the upload button's file chooser, as a person picks a file."""
    with page.expect_file_chooser() as chooser:
        section.get_by_role("button", name="上传背景图").click()
    chooser.value.set_files(path)


def test_a_manager_uploads_a_poster_background_sees_the_preview_change_and_removes_it(
    console: Page, phone: Page, web_stack: Http, tenant: str, tmp_path: Path
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    created = ok(web_stack.call("POST", "/v1/campaigns", PROGRAM, admin), 201)
    assert isinstance(created, dict)
    campaign_id = created["campaign_id"]
    ok(web_stack.call("POST", f"/v1/campaigns/{campaign_id}/activate", token=admin))
    background = tmp_path / "background.png"
    Image.new("RGB", (600, 1000), RED).save(background)
    too_wide = tmp_path / "too-wide.png"
    Image.new("RGB", (2100, 40), RED).save(too_wide)
    too_heavy = tmp_path / "too-heavy.png"
    Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3)).save(too_heavy)  # noise: ~270 KB
    assert too_heavy.stat().st_size > 180 * 1024

    sign_in_console(console, tenant, "m1", ("manager",))
    console.set_viewport_size(LAPTOP)
    console.goto(f"/console/campaigns/{campaign_id}")
    section = console.get_by_role("region", name="海报", exact=True)
    preview = section.get_by_role("img", name="「春季老带新」的示例海报")
    expect(preview).to_be_visible()
    loaded(preview)
    first = preview.get_attribute("src") or ""
    assert first.startswith("blob:"), first
    assert near(preview.evaluate(PIXEL, TOP), DEFAULT_TOP), preview.evaluate(PIXEL, TOP)
    assert_accessible(console, context="a referral program's poster section")

    # Refused before it is sent: over 180 KiB.
    upload(console, section, too_heavy)
    refusal = section.get_by_role("alert")
    expect(refusal).to_contain_text("这张图片不能用作海报背景")
    expect(refusal).to_contain_text("超过 180 KB 的上限")
    # Refused by the API: its words, as it says them.
    upload(console, section, too_wide)
    expect(refusal).to_contain_text("The image is over 2000 pixels a side.")
    expect(preview).to_have_attribute("src", first)  # nothing changed
    assert_accessible(console, context="a background the API refused")
    section.scroll_into_view_if_needed()
    shoot(console, "poster-refused-desktop")

    # A background that fits: the preview is drawn on it.
    upload(console, section, background)
    expect(console.get_by_text("海报背景已更新")).to_be_visible()
    expect(refusal).to_have_count(0)
    expect(preview).not_to_have_attribute("src", first)
    loaded(preview)
    assert near(preview.evaluate(PIXEL, TOP), RED), preview.evaluate(PIXEL, TOP)
    with_background = preview.get_attribute("src") or ""
    assert console.evaluate(STILL_THERE, first) is False, "the replaced preview's object URL was not revoked"
    assert console.evaluate(STILL_THERE, with_background) is True
    assert_accessible(console, context="a poster on an uploaded background")
    section.scroll_into_view_if_needed()
    shoot(console, "poster-desktop")

    # On a phone, the same section fits the screen.
    sign_in_console(phone, tenant, "m1", ("manager",))
    phone.goto(f"/console/campaigns/{campaign_id}")
    phone_section = phone.get_by_role("region", name="海报", exact=True)
    phone_preview = phone_section.get_by_role("img", name="「春季老带新」的示例海报")
    loaded(phone_preview)
    assert near(phone_preview.evaluate(PIXEL, TOP), RED)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone, context="the poster section on a phone")
    phone_section.scroll_into_view_if_needed()
    shoot(phone, "poster-phone")

    # Back to the default background, after confirming.
    section.get_by_role("button", name="恢复默认背景").click()
    confirm = console.get_by_role("tooltip").filter(has_text="恢复默认背景？")
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="恢复默认").click()
    expect(console.get_by_text("已恢复默认背景")).to_be_visible()
    expect(preview).not_to_have_attribute("src", with_background)
    loaded(preview)
    assert near(preview.evaluate(PIXEL, TOP), DEFAULT_TOP), preview.evaluate(PIXEL, TOP)

    # A guide may not preview posters: no poster section for them.
    console.get_by_role("button", name="退出登录").click()
    sign_in_console(console, tenant, "g1", ("guide",))
    console.goto(f"/console/campaigns/{campaign_id}")
    expect(console.get_by_role("heading", name="春季老带新", level=1)).to_be_visible()
    expect(console.get_by_role("region", name="裂变规则", exact=True)).to_be_visible()
    expect(console.get_by_role("region", name="海报", exact=True)).to_have_count(0)
