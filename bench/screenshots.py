"""``make screenshots``: the README's pictures, taken from a real local stack.

Starts ``python -m local`` on free ports, gives a demo tenant a little life through the API (a
campaign with channel codes, members who scan them, a check-in, a complaint), then opens the
console's dashboard (desktop) and a code's landing page (phone) in headless Chromium and saves
``docs/images/console-dashboard.png`` and ``docs/images/member-landing.png``.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.stack import _start, measure_stop
from bench.web import CHROMIUM_ARGS, active_campaign, find_chromium, new_code

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
TENANT = "demo"


def _seed(api: Any) -> str:
    """The demo tenant's campaign, codes and members; answers a fresh code's landing URL."""
    staff, campaign_id = active_campaign(api, TENANT, "双十二会员招募")
    codes = [new_code(api, staff, campaign_id, channel) for channel in ("poster", "wecom", "receipt")]
    for number in range(12):
        login = {"tenant_id": TENANT, "app_id": "wx-demo", "code": f"dev:member-{number}"}
        member = api.call("POST", "/v1/auth/wechat", login)[1]["token"]
        api.call("POST", "/v1/scans", {"code": codes[number % 3]["code"]}, member)
        if number % 3 == 0:
            api.call("POST", "/v1/me/checkins", token=member)
        if number % 4 == 0:
            complaint = {"type": "complaint", "subject": f"快递延误 #{number}", "order_id": f"SO{number:05d}"}
            api.call("POST", "/v1/me/cases", complaint, member)
    time.sleep(3)  # the event-driven side (attribution, points) settles
    return str(new_code(api, staff, campaign_id)["url"])


def main() -> None:
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(parents=True, exist_ok=True)
    process, api = _start(Path(tempfile.mkdtemp(prefix="siyu-screens-")) / "stack.log")
    try:
        landing = urlsplit(_seed(api))
        base = f"http://127.0.0.1:{api.port}"
        with sync_playwright() as driver:
            chromium = find_chromium() or sys.exit("no Chromium: `make browser` installs Debian's")
            browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            desktop = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", base_url=base)
            page = desktop.new_page()
            page.goto("/console/sign-in")
            page.get_by_label("租户 ID").fill(TENANT)
            page.get_by_label("员工 ID").fill("m1")
            page.get_by_role("button", name="登录").click()
            page.get_by_role("img", name=re.compile("趋势图")).first.wait_for()
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1500)  # ECharts draws its series with an animation
            page.screenshot(path=IMAGES / "console-dashboard.png")
            phone = browser.new_context(
                viewport={"width": 390, "height": 560}, device_scale_factor=2, is_mobile=True, locale="zh-CN"
            )
            page = phone.new_page()
            page.goto(f"{base}{landing.path}?{landing.query}")
            page.get_by_label("你的名字").fill("王芳")
            page.get_by_role("button", name="登录").click()
            page.get_by_text("+100 积分").wait_for(timeout=20_000)
            page.screenshot(path=IMAGES / "member-landing.png")
            browser.close()
    finally:
        measure_stop(process)
    print(f"saved {IMAGES / 'console-dashboard.png'} and {IMAGES / 'member-landing.png'}")


if __name__ == "__main__":
    main()
