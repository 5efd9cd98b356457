"""Referral posters: the member's PNG carries the QR of their own invite link (read back module by
module), their name and the program's background; bad backgrounds are refused, naming the field."""

from __future__ import annotations

import base64
import io
from typing import Any

import segno
from PIL import Image

from services.campaigns.logic import posters
from tests.unit.conftest import Client
from tests.unit.test_referral_programs import problem_fields, program

Pixel = tuple[int, int, int]


def poster(client: Client, member: dict[str, Any], url: str) -> Image.Image:
    answer = client.get(url, token=member["token"])
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(answer.body))
    assert (image.format, image.size) == ("PNG", (posters.WIDTH, posters.HEIGHT))
    return image.convert("RGB")


def qr_read_back(image: Image.Image, url: str) -> list[list[bool]]:
    """The poster's QR, sampled at the centre of each module where the link's QR has one."""
    size = len(segno.make(url, error="m", micro=False).matrix)
    left, top, side = posters.QR_BOX
    scale = side // (size + 2 * posters.QR_BORDER)
    offset = (side - scale * (size + 2 * posters.QR_BORDER)) // 2 + posters.QR_BORDER * scale
    grey = image.convert("L")

    def dark(r: int, c: int) -> bool:
        shade = grey.getpixel((left + offset + c * scale + scale // 2, top + offset + r * scale + scale // 2))
        assert isinstance(shade, int)
        return shade < 100

    return [[dark(r, c) for c in range(size)] for r in range(size)]


def background(colour: Pixel, kind: str = "JPEG", size: tuple[int, int] = (400, 600)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=kind)
    return base64.b64encode(buffer.getvalue()).decode()


def near(pixel: Any, colour: Pixel, tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_a_members_poster_carries_the_qr_of_their_link_their_name_and_the_programs_background(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    campaign_id = client.post("/v1/campaigns", json_body=program(), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    member = client.member_login(tenant, "dev:o-poster")
    [mine] = client.get("/v1/me/referrals", token=member["token"]).json["items"]
    assert mine["poster_url"] == f"/v1/me/referrals/poster.png?campaign_id={campaign_id}"

    named = poster(client, member, mine["poster_url"] + "&name=张小明")
    expected = [[bool(module) for module in row] for row in segno.make(mine["url"], error="m").matrix]
    assert qr_read_back(named, mine["url"]) == expected
    # The name is drawn on the card: another name changes the card, not the QR.
    other = poster(client, member, mine["poster_url"] + "&name=Li")
    left, top, right, _ = posters.CARD
    card_top = (left, top, right, posters.QR_BOX[1])
    assert named.crop(card_top).tobytes() != other.crop(card_top).tobytes()
    assert qr_read_back(other, mine["url"]) == expected
    assert near(named.getpixel((5, 5)), posters.TOP_COLOUR)  # the default backdrop
    sample = client.get(f"/v1/campaigns/{campaign_id}/poster.png", token=admin)  # what staff see of it
    assert sample.status == 200
    assert Image.open(io.BytesIO(sample.body)).size == (posters.WIDTH, posters.HEIGHT)

    # The program's background, cover-fitted under the same card and QR; removed, the default again.
    # The program says whether it has one (on a new version).
    def program_view() -> dict[str, Any]:
        return dict(client.get(f"/v1/campaigns/{campaign_id}", token=admin).json)

    before = program_view()
    assert before["poster_set_at"] is None
    put = client.put(
        f"/v1/campaigns/{campaign_id}/poster", json_body={"image_base64": background((200, 30, 40))}, token=admin
    )
    assert put.status == 204, put.body
    on_red = poster(client, member, mine["poster_url"])
    assert near(on_red.getpixel((5, 5)), (200, 30, 40))
    assert near(on_red.getpixel((5, posters.HEIGHT - 5)), (200, 30, 40))
    assert qr_read_back(on_red, mine["url"]) == expected
    with_background = program_view()
    assert with_background["poster_set_at"] is not None
    assert with_background["version"] == before["version"] + 1
    assert client.delete(f"/v1/campaigns/{campaign_id}/poster", token=admin).status == 204
    assert near(poster(client, member, mine["poster_url"]).getpixel((5, 5)), posters.TOP_COLOUR)
    assert (program_view()["poster_set_at"], program_view()["version"]) == (None, before["version"] + 2)


def test_bad_backgrounds_and_posters_of_no_open_program_are_refused(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    campaign_id = client.post("/v1/campaigns", json_body=program(), token=admin).json["campaign_id"]
    path = f"/v1/campaigns/{campaign_id}/poster"
    for image in (
        "not base64!",
        background((1, 2, 3), "GIF"),
        background((1, 2, 3), "PNG", (2_001, 10)),
        base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 64).decode(),  # a PNG's signature, no image
    ):
        refused = client.put(path, json_body={"image_base64": image}, token=admin)
        assert refused.status == 422, refused.body
        assert problem_fields(refused) == ["body.image_base64"]
    too_big = base64.b64encode(b"\xff" * (posters.MAX_BACKGROUND_BYTES + 1)).decode()
    assert client.put(path, json_body={"image_base64": too_big}, token=admin).status == 422
    standard = {"name": "春季", "points_budget": 100, **{k: v for k, v in program().items() if k.endswith("_at")}}
    standard_id = client.post("/v1/campaigns", json_body=standard, token=admin).json["campaign_id"]
    assert (
        client.put(
            f"/v1/campaigns/{standard_id}/poster", json_body={"image_base64": background((1, 2, 3))}, token=admin
        ).status
        == 422
    )
    assert client.delete(f"/v1/campaigns/{standard_id}/poster", token=admin).status == 422
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.put(path, json_body={"image_base64": background((1, 2, 3))}, token=guide).status == 403
    other_tenant = client.staff_token(f"{tenant}-other")
    assert client.put(path, json_body={"image_base64": background((1, 2, 3))}, token=other_tenant).status == 404

    # The program is not active yet: no poster, and no name that is not one.
    member = client.member_login(tenant, "dev:o-poster-early")
    assert client.get(f"/v1/me/referrals/poster.png?campaign_id={campaign_id}", token=member["token"]).status == 404
    long_name = client.get(
        f"/v1/me/referrals/poster.png?campaign_id={campaign_id}&name={'x' * 41}", token=member["token"]
    )
    assert long_name.status == 422
    assert problem_fields(long_name) == ["query.name"]
