"""邀请有礼 on the member H5 (/m/referrals), against the real API of a local stack: an admin runs a
referral program; a member finds it from the points home, with their own invite link (copied in a
tap), its code and no progress yet; a friend opens the link and binds a phone, and the member's page
then shows one friend invited and the first stage reached, at a phone's and a laptop's width. A
member makes their poster with the name they type (the PNG the API draws for them, 750 x 1334),
makes it again with another name, and finds it there when they come back. A brand with no program
running says so. The admin and the friend act through the API, as the console and the friend's H5
would."""

# ruff: noqa: RUF001  (the H5 speaks Chinese: its full-width punctuation is the text under test)

from __future__ import annotations

import hashlib
import io
from urllib.parse import parse_qs, urlencode, urlsplit

from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ARTIFACTS, assert_accessible
from tests.browser.test_member import _member, _ok
from tests.e2e.conftest import Http, wait_for

SCHEDULE = {"starts_at": "2025-01-01T00:00:00Z", "ends_at": "2035-06-30T12:00:00Z"}
PROGRAM = {
    "name": "春季老带新",
    "kind": "referral",
    "points_budget": 5_000,
    "referral": {
        "stages": [{"invitees": 1, "points": 100}, {"invitees": 3, "points": 300}],
        "welcome_points": 20,
        "qualifying_action": "phone_bound",
        "clawback_days": 7,
    },
    **SCHEDULE,
}
FOOTED_TAB_BAR = "body { position: relative; min-height: 100vh; } .m-tabbar { position: absolute; }"
# Qualification follows the friend's phone binding through events.
SETTLE_SECONDS = 20


def _sign_in(page: Page, name: str) -> None:
    page.get_by_label("你的名字").fill(name)
    page.get_by_role("button", name="登录").click()


def _view(page: Page, name: str) -> None:
    """Keep this view as an artifact (test-results/browser/member-<name>.png), the whole page, once
    nothing in it is wider than the viewport. The fixed tab bar is drawn where the member sees it, at
    the foot of the page (a full-page capture would leave it across the middle, over the content)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"member-{name}.png", full_page=True, style=FOOTED_TAB_BAR)


def _expect_first_stage_reached(page: Page) -> None:
    expect(page.get_by_test_id("qualified")).to_have_text("已有 1 位好友邀请成功")
    expect(page.get_by_role("progressbar", name="邀请进度")).to_have_attribute("aria-valuenow", "1")
    expect(page.get_by_test_id("next-stage")).to_have_text("再邀请 2 位好友，可得 300 积分")
    stages = page.get_by_role("list", name="阶段奖励").get_by_role("listitem")
    expect(stages.nth(0)).to_have_attribute("data-reached", "true")
    expect(stages.nth(0)).to_contain_text("已达成")
    expect(stages.nth(1)).to_contain_text("还差 2 人")
    invitees = page.get_by_role("list", name="我邀请的好友").get_by_role("listitem")
    expect(invitees).to_have_count(1)
    expect(invitees.first).to_contain_text("已成功")
    expect(invitees.first).to_contain_text("邀请成功 ")
    rewards = page.get_by_role("list", name="我的奖励").get_by_role("listitem")
    expect(rewards).to_have_count(1)
    expect(rewards.first).to_contain_text("阶段 1 奖励")
    expect(rewards.first).to_contain_text("+100 积分")
    expect(rewards.first).to_contain_text("已发放")


def test_a_member_shares_an_invite_link_and_sees_the_friend_qualify_and_the_first_stage_reached(
    phone: Page, console: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    campaign_id = _ok(web_stack.call("POST", "/v1/campaigns", PROGRAM, admin), 201)["campaign_id"]
    _ok(web_stack.call("POST", f"/v1/campaigns/{campaign_id}/activate", token=admin))

    phone.goto(f"/m/?tenant={tenant}")
    _sign_in(phone, "邀请人小王")
    expect(phone.get_by_role("heading", name="我的积分")).to_be_visible()
    shortcuts = phone.get_by_role("navigation", name="快捷入口")
    expect(shortcuts.get_by_role("button", name="邀请有礼")).to_be_visible()
    _view(phone, "home-shortcuts-phone")
    shortcuts.get_by_role("button", name="邀请有礼").click()
    expect(phone).to_have_url(f"{web_stack.base}/m/referrals")
    expect(phone.get_by_role("heading", name="邀请有礼", level=1)).to_be_visible()

    program = phone.get_by_role("article", name="春季老带新")
    expect(program.get_by_role("heading", name="春季老带新", level=2)).to_be_visible()
    expect(program.get_by_text("活动截止 2035/06/30")).to_be_visible()
    rules = program.get_by_role("list", name="活动规则")
    expect(rules).to_contain_text("好友用你的链接注册并绑定手机号，即算邀请成功")
    expect(rules).to_contain_text("邀请成功的好友可得 20 积分新人礼")
    code = phone.get_by_test_id("invite-code").inner_text()
    url = phone.get_by_test_id("invite-link").inner_text()
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == "/m/scan", url
    assert (query["tenant"], query["scene"]) == ([tenant], [code]), url
    expect(phone.get_by_test_id("qualified")).to_have_text("已有 0 位好友邀请成功")
    expect(phone.get_by_role("progressbar", name="邀请进度")).to_have_attribute("aria-valuenow", "0")
    expect(phone.get_by_test_id("next-stage")).to_have_text("再邀请 1 位好友，可得 100 积分")
    stages = phone.get_by_role("list", name="阶段奖励").get_by_role("listitem")
    expect(stages).to_have_count(2)
    expect(stages.nth(0)).to_have_attribute("data-reached", "false")
    expect(stages.nth(0)).to_contain_text("还差 1 人")
    expect(program.get_by_text("还没有奖励，邀请好友成功即可获得。")).to_be_visible()
    expect(program.get_by_text("还没有好友通过你的链接加入，快去邀请吧。")).to_be_visible()
    assert_accessible(phone, context="my referrals, nobody invited yet")
    _view(phone, "referrals-start-phone")

    # The copy button puts the link on the clipboard.
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_stack.base)
    phone.get_by_role("button", name="复制邀请链接").click()
    expect(phone.get_by_text("已复制，快发给好友吧")).to_be_visible()
    assert phone.evaluate("navigator.clipboard.readText()") == url

    # A friend opens the link (a scan of the member's code) and binds a phone: invited.
    friend = _member(web_stack, tenant, "新朋友小李")
    _ok(web_stack.call("POST", "/v1/scans", {"code": code}, friend["token"]), 202)
    _ok(web_stack.call("POST", "/v1/me/phone", {"code": "dev-phone:+86 139 0000 4001"}, friend["token"]))
    inviter = _member(web_stack, tenant, "邀请人小王")
    wait_for(
        lambda: _ok(web_stack.call("GET", "/v1/me/referrals", token=inviter["token"]))["items"][0]["qualified"] == 1,
        timeout=SETTLE_SECONDS,
    )

    phone.reload()
    _expect_first_stage_reached(phone)
    assert_accessible(phone, context="my referrals, a friend invited and the first stage reached")
    _view(phone, "referrals-phone")

    # The same page at a laptop's width: the H5's column, centred.
    console.goto(f"/m/referrals?tenant={tenant}")
    _sign_in(console, "邀请人小王")
    _expect_first_stage_reached(console)
    assert_accessible(console, context="my referrals at a laptop's width")
    _view(console, "referrals-desktop")

    # And in English.
    console.get_by_role("button", name="English").click()
    expect(console.get_by_role("heading", name="Invite friends", level=1)).to_be_visible()
    expect(console.get_by_test_id("qualified")).to_have_text("1 friend invited")
    expect(console.get_by_test_id("next-stage")).to_have_text("Invite 2 more friends to get 300 points")
    expect(console.get_by_role("list", name="Friends I invited").get_by_text("Invited", exact=True)).to_be_visible()
    assert_accessible(console, context="my referrals in English")
    _view(console, "referrals-desktop-en")


def test_a_brand_with_no_program_running_says_so(phone: Page, web_stack: Http, tenant: str) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    standard = {"name": "扫码有礼", "acquisition_points": 10, "points_budget": 1_000, **SCHEDULE}
    campaign_id = _ok(web_stack.call("POST", "/v1/campaigns", standard, admin), 201)["campaign_id"]
    _ok(web_stack.call("POST", f"/v1/campaigns/{campaign_id}/activate", token=admin))  # not a referral program

    phone.goto(f"/m/referrals?tenant={tenant}")
    _sign_in(phone, "路人甲")
    expect(phone.get_by_role("heading", name="邀请有礼", level=1)).to_be_visible()
    expect(phone.get_by_text("暂时没有邀请活动，有新活动时这里会第一时间告诉你。")).to_be_visible()
    expect(phone.get_by_role("article")).to_have_count(0)
    expect(phone.get_by_role("button", name="复制邀请链接")).to_have_count(0)
    assert_accessible(phone, context="my referrals with no program running")
    _view(phone, "referrals-empty-phone")


# The poster the page shows, as the browser holds it: its data: URL (what WeChat saves on a long
# press) and the SHA-256 of its pixels (RGBA, read through a canvas). The same
# program, name and link always draw the same poster. Called once the image has loaded.
SHOWN_POSTER = """async (img) => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', pixels));
    return {src: img.src, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')};
}"""


def _expect_loaded(image: Locator) -> None:
    expect(image).to_have_js_property("naturalWidth", 750)
    expect(image).to_have_js_property("naturalHeight", 1334)


def _poster_sha256(stack: Http, token: str, campaign_id: str, name: str) -> str:
    query = urlencode({"campaign_id": campaign_id, "name": name})
    status, body = stack.call("GET", f"/v1/me/referrals/poster.png?{query}", token=token)
    assert status == 200, (status, body)
    assert isinstance(body, bytes), body
    with Image.open(io.BytesIO(body)) as poster:
        return hashlib.sha256(poster.convert("RGBA").tobytes()).hexdigest()


def test_a_member_makes_their_poster_with_their_name_to_save_and_share(
    phone: Page, console: Page, web_stack: Http, tenant: str
) -> None:
    admin = web_stack.staff_token(tenant, "a1", ("admin",))
    campaign_id = _ok(web_stack.call("POST", "/v1/campaigns", PROGRAM, admin), 201)["campaign_id"]
    _ok(web_stack.call("POST", f"/v1/campaigns/{campaign_id}/activate", token=admin))

    phone.goto(f"/m/referrals?tenant={tenant}")
    _sign_in(phone, "海报小王")
    poster = phone.get_by_role("article", name="春季老带新").get_by_role("region", name="我的海报")
    expect(poster.get_by_label("海报上的名字")).to_have_value("")
    expect(poster.get_by_role("img")).to_have_count(0)  # drawn when the member asks
    poster.get_by_label("海报上的名字").fill("王小明")
    poster.get_by_role("button", name="生成我的海报").click()
    image = poster.get_by_role("img", name="「春季老带新」邀请海报")
    expect(image).to_be_visible()
    _expect_loaded(image)
    shown = image.evaluate(SHOWN_POSTER)
    assert shown["src"].startswith("data:image/png;base64,"), shown["src"][:40]
    member = _member(web_stack, tenant, "海报小王")
    expected = _poster_sha256(web_stack, member["token"], campaign_id, "王小明")
    assert shown["sha256"] == expected, "not the member's poster"
    expect(poster.get_by_text("长按图片保存或转发给好友")).to_be_visible()
    assert_accessible(phone, context="my poster")
    _view(phone, "referrals-poster-phone")

    # Another name: another poster in place of the first.
    poster.get_by_label("海报上的名字").fill("小明")
    poster.get_by_role("button", name="重新生成海报").click()
    expect(image).not_to_have_attribute("src", shown["src"])
    _expect_loaded(image)
    again = image.evaluate(SHOWN_POSTER)
    assert again["sha256"] == _poster_sha256(web_stack, member["token"], campaign_id, "小明")

    # Back later: the name is typed in already and the poster shows straight away.
    phone.reload()
    expect(poster.get_by_label("海报上的名字")).to_have_value("小明")
    expect(image).to_be_visible()
    _expect_loaded(image)
    assert image.evaluate(SHOWN_POSTER)["sha256"] == again["sha256"]

    # At a laptop's width, in English.
    console.goto(f"/m/referrals?tenant={tenant}")
    _sign_in(console, "海报小王")
    console.get_by_role("button", name="English").click()
    laptop_poster = console.get_by_role("region", name="My poster")
    laptop_poster.get_by_label("Name on the poster").fill("Wang")
    laptop_poster.get_by_role("button", name="Make my poster").click()
    laptop_image = laptop_poster.get_by_role("img", name="Invitation poster for 春季老带新")
    expect(laptop_image).to_be_visible()
    _expect_loaded(laptop_image)
    expect(laptop_poster.get_by_text("Press and hold the picture to save it or send it to friends")).to_be_visible()
    assert laptop_image.bounding_box()["width"] <= 320  # type: ignore[index]
    assert_accessible(console, context="my poster at a laptop's width, in English")
    _view(console, "referrals-poster-desktop-en")
