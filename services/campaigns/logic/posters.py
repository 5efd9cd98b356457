"""Referral posters: a member's invite as a PNG to save and share in WeChat (海报).

The poster is drawn on request with Pillow: the program's background image (uploaded by staff,
cover-fitted; a drawn gradient without one), the program's name, the member's name on a white
card, and the QR of the member's invite link with its caption. Nothing is stored per member: the
same program, name and link always draw the same bytes.

- The member's name comes with the request: WeChat gives no nickname to servers any more (members
  type theirs in the mini-program's nickname field), and the poster is the member's own. Without
  one the card says "好友" (a friend).
- The font is a CJK one (Source Han Sans, from the npm package ``source-han-sans-cn``): in AWS a
  layer puts it under ``/opt/fonts``; on a laptop it is read from ``web/node_modules``;
  ``SIYU_POSTER_FONT`` names another. Without any, ``PosterFontMissing`` (503) rather than a poster
  of empty boxes.
- A background is a PNG or JPEG of at most ``MAX_BACKGROUND_BYTES`` and ``MAX_BACKGROUND_SIDE``
  pixels a side, checked by decoding it; it is kept in the campaign's table (one item).
"""

from __future__ import annotations

import base64
import binascii
import io
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from services.campaigns import fonts
from services.campaigns.dal import referrals as referral_dal
from services.campaigns.logic import campaigns, codes, referrals
from services.campaigns.models import Campaign, PosterBackground
from shared.auth.principal import MemberPrincipal, StaffPrincipal
from shared.clock import rfc3339, utc_now
from shared.errors import NotFound, Unprocessable, UpstreamUnavailable
from shared.settings import get_settings

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

WIDTH, HEIGHT = 750, 1334  # a phone screen at 2x: what WeChat shows full-screen
CARD = (60, 800, 690, 1274)  # left, top, right, bottom of the white card
QR_BOX = (225, 900, 300)  # left, top, side of the QR (quiet zone included)
QR_BORDER = 2  # modules of quiet zone: the card's white carries on around it
MAX_BACKGROUND_BYTES = 180 * 1024  # the API's body limit is 256 KiB, and base64 adds a third
MAX_BACKGROUND_SIDE = 2_000
FONT_PLACES = (fonts.IN_LAMBDA, fonts.INSTALLED)
INK, MUTED, WHITE = (31, 41, 55), (107, 114, 128), (255, 255, 255)
TOP_COLOUR, BOTTOM_COLOUR = (11, 122, 85), (6, 78, 59)
CAPTION = "长按识别二维码，接受邀请"  # noqa: RUF001 - Chinese punctuation: drawn as it is
MAX_NAME = 12  # characters of the member's name drawn; more are cut with an ellipsis


class PosterFontMissing(UpstreamUnavailable):
    """No CJK font to draw with: the deployment lacks its font layer, or the laptop its npm install."""


def _program(staff: StaffPrincipal, campaign_id: str) -> Campaign:
    """The tenant's referral program (404 for none, 422 for a campaign of another kind)."""
    campaign = campaigns.get(staff.tenant_id, campaign_id)
    if campaign.kind != "referral":
        raise Unprocessable(
            "Only a referral program has a poster.", [{"loc": ["path", "campaign_id"], "msg": "not referral"}]
        )
    return campaign


def set_background(staff: StaffPrincipal, campaign_id: str, body: PosterBackground) -> None:
    _program(staff, campaign_id)
    image = _decoded(body.image_base64)
    referral_dal.put_poster_background(staff.tenant_id, campaign_id, image, rfc3339(utc_now()))


def remove_background(staff: StaffPrincipal, campaign_id: str) -> None:
    _program(staff, campaign_id)
    referral_dal.delete_poster_background(staff.tenant_id, campaign_id)


def _bad_image(detail: str) -> Unprocessable:
    return Unprocessable(detail, [{"loc": ["body", "image_base64"], "msg": detail}])


def _decoded(text: str) -> bytes:
    """The image's bytes, if they are a PNG or JPEG within the limits (422 naming the field otherwise)."""
    from PIL import Image, UnidentifiedImageError

    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _bad_image("The image is not base64.") from None
    if len(data) > MAX_BACKGROUND_BYTES:
        raise _bad_image(f"The image is over {MAX_BACKGROUND_BYTES // 1024} KiB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, size = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _bad_image("The image is not a PNG or JPEG that can be read.") from None
    if kind not in ("PNG", "JPEG"):
        raise _bad_image("The image must be a PNG or a JPEG.")
    if max(size) > MAX_BACKGROUND_SIDE:
        raise _bad_image(f"The image is over {MAX_BACKGROUND_SIDE} pixels a side.")
    return data


SAMPLE_NAME, SAMPLE_CODE = "示例会员", "SAMPLE"


def sample_poster(staff: StaffPrincipal, campaign_id: str) -> bytes:
    """What members' posters of the program look like: a sample member's, whose QR opens the
    program's entry with a code that is no member's."""
    campaign = _program(staff, campaign_id)
    url = codes.entry_url(staff.tenant_id, campaign.entry_url, SAMPLE_CODE)
    return render(campaign.name, SAMPLE_NAME, url, referral_dal.poster_background(staff.tenant_id, campaign_id))


def my_poster(member: MemberPrincipal, campaign_id: str, name: str | None) -> bytes:
    """The member's poster for a program open now (404 otherwise)."""
    campaign = next((c for c in referrals.open_programs(member.tenant_id) if c.campaign_id == campaign_id), None)
    if campaign is None:
        raise NotFound("No referral program open now has this id.")
    code = referrals.invite_code(member, campaign)
    background = referral_dal.poster_background(member.tenant_id, campaign_id)
    return render(campaign.name, name, code.url, background)


def render(title: str, member_name: str | None, url: str, background: bytes | None) -> bytes:
    """The poster as PNG bytes."""
    from PIL import ImageDraw

    canvas = _backdrop(background)
    draw = ImageDraw.Draw(canvas)
    _centred(draw, title, 150, _font(64), WHITE, shadow=True)
    _centred(draw, "邀请你一起加入", 250, _font(34), WHITE, shadow=True)
    draw.rounded_rectangle(CARD, radius=28, fill=WHITE)
    _centred(draw, f"{_shortened(member_name)} 邀请你", 836, _font(38), INK)
    left, top, side = QR_BOX
    canvas.paste(qr_image(url, side), (left, top))
    _centred(draw, CAPTION, 1214, _font(28), MUTED)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_image(url: str, side: int) -> PILImage.Image:
    """The link's QR, black on white, ``side`` pixels square with ``QR_BORDER`` modules of quiet zone
    (whole pixels per module, centred)."""
    import segno
    from PIL import Image, ImageDraw

    matrix = segno.make(url, error="m", micro=False).matrix
    modules = len(matrix) + 2 * QR_BORDER
    scale = side // modules
    offset = (side - scale * modules) // 2 + QR_BORDER * scale
    image = Image.new("RGB", (side, side), WHITE)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(matrix):
        for column, dark in enumerate(line):
            if dark:
                x, y = offset + column * scale, offset + row * scale
                draw.rectangle((x, y, x + scale - 1, y + scale - 1), fill=(0, 0, 0))
    return image


def _backdrop(background: bytes | None) -> PILImage.Image:
    from PIL import Image, ImageOps

    if background is not None:
        with Image.open(io.BytesIO(background)) as image:
            return ImageOps.fit(image.convert("RGB"), (WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    gradient = Image.linear_gradient("L").resize((WIDTH, HEIGHT))  # 0 at the top, 255 at the bottom
    bottom, top = Image.new("RGB", (WIDTH, HEIGHT), BOTTOM_COLOUR), Image.new("RGB", (WIDTH, HEIGHT), TOP_COLOUR)
    return Image.composite(bottom, top, gradient)


def _centred(
    draw: ImageDraw.ImageDraw,
    text: str,
    top: int,
    font: ImageFont.FreeTypeFont,
    fill: tuple[int, int, int],
    *,
    shadow: bool = False,
) -> None:
    width = draw.textlength(text, font=font)
    left = (WIDTH - width) / 2
    if shadow:  # legible on any background
        draw.text((left + 2, top + 2), text, font=font, fill=(0, 0, 0))
    draw.text((left, top), text, font=font, fill=fill)


def _shortened(name: str | None) -> str:
    """The name as drawn: spaces folded, at most ``MAX_NAME`` characters; none (or blank): 好友."""
    name = " ".join((name or "").split()) or "好友"
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(font_path()), size)


@cache
def font_path() -> Path:
    named = get_settings().poster_font
    for place in (Path(named),) if named else FONT_PLACES:
        if place.is_file():
            return place
    raise PosterFontMissing("Posters cannot be drawn now: no font is installed.")
