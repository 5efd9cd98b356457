"""Path values arrive percent-encoded, as browsers and HTTP clients send them: each is decoded
exactly once, whatever the route, and an encoded "/" or "%" inside a value never changes which
route answers."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests.unit.conftest import Client


def _contact(client: Client, token: str, **fields: object) -> dict[str, Any]:
    answer = client.post("/v1/contacts", json_body={"name": "王芳", **fields}, token=token)
    assert answer.status == 201, answer.body
    return dict(answer.json)


def _tag_path(contact_id: str, tag: str) -> str:
    return f"/v1/contacts/{quote(contact_id, safe='')}/tags/{quote(tag, safe='')}"


def _listed(client: Client, token: str, tag: str) -> list[str]:
    answer = client.get(f"/v1/contacts?tag={quote(tag, safe='')}", token=token)
    assert answer.status == 200, answer.body
    return [item["contact_id"] for item in answer.json["items"]]


def test_a_chinese_tag_set_listed_filtered_and_deleted_round_trips_exactly(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact = _contact(client, admin, tags=["会员"])
    contact_id = contact["contact_id"]

    tagged = client.put(_tag_path(contact_id, "高价值"), token=admin)
    assert tagged.status == 200, tagged.body
    assert sorted(tagged.json["tags"]) == ["会员", "高价值"]
    assert sorted(client.get(f"/v1/contacts/{contact_id}", token=admin).json["tags"]) == ["会员", "高价值"]
    assert _listed(client, admin, "高价值") == [contact_id]

    untagged = client.delete(_tag_path(contact_id, "会员"), token=admin)
    assert untagged.status == 200, untagged.body
    assert untagged.json["tags"] == ["高价值"]
    assert client.get(f"/v1/contacts/{contact_id}", token=admin).json["tags"] == ["高价值"]
    assert _listed(client, admin, "会员") == []
    assert _listed(client, admin, "高价值") == [contact_id]


def test_a_percent_sign_in_a_value_is_decoded_once(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = _contact(client, admin)["contact_id"]

    for tag in ("100%", "%E4%BC%9A"):  # the second must stay as typed, not become "会"
        answer = client.put(_tag_path(contact_id, tag), token=admin)
        assert answer.status == 200, answer.body
    assert sorted(client.get(f"/v1/contacts/{contact_id}", token=admin).json["tags"]) == ["%E4%BC%9A", "100%"]
    assert _listed(client, admin, "%E4%BC%9A") == [contact_id]
    assert _listed(client, admin, "会") == []


def test_an_encoded_slash_stays_inside_its_value(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = _contact(client, admin, tags=["vip"])["contact_id"]

    # The tag route is still the one that answers: a tag may not contain "/", which only the
    # decoded value reveals (a 404 would mean the path was split at the encoded slash).
    refused = client.put(_tag_path(contact_id, "a/b"), token=admin)
    assert refused.status == 422, refused.body

    # "<id>/tags/vip" as one contact id is the contact route with an id that does not exist, not
    # the tag route removing "vip" from the real contact.
    gone = client.delete(f"/v1/contacts/{quote(f'{contact_id}/tags/vip', safe='')}", token=admin)
    assert gone.status in (404, 422), gone.body
    assert client.get(f"/v1/contacts/{contact_id}", token=admin).json["tags"] == ["vip"]
