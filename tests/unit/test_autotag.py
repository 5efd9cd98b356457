"""Auto-tagging: a tenant's rules tag a contact when a fact about it meets
their conditions: an order in category 母婴 → 母婴; a case rated 2 or less → 差评.

``autotag.on_fact`` is called here with a timeline entry, as the timeline consumer calls it on
every delivery of a fact; the last test drives a partner's order over the bus end to end (it
needs the timeline consumer to call ``on_fact``)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from services.contacts.logic import autotag
from services.contacts.models import TimelineEntry
from services.contacts.rule_models import MAX_CONDITIONS
from tests.unit.conftest import Client, eventually
from tests.unit.test_contacts_merge import published
from tests.unit.test_contacts_timeline import moment, publish_at
from tests.unit.test_tag_groups import group_of, new_contact, setup_items

BIG_ORDER = 100_000  # fen


def fact(fact_type: str, **summary: Any) -> TimelineEntry:
    return TimelineEntry.model_validate(
        {
            "event_id": f"evt-{uuid.uuid4().hex}",
            "type": fact_type,
            "occurred_at": moment(0),
            "source": "partner.shop" if fact_type == "OrderPaid" else "siyu.cases",
            "summary": summary,
        }
    )


def order(categories: list[str] | None = None, amount_fen: int = 990) -> TimelineEntry:
    summary: dict[str, Any] = {"order_id": f"o-{uuid.uuid4().hex[:8]}", "amount_fen": amount_fen, "brand": "acme"}
    if categories is not None:
        summary["categories"] = categories
    return fact("OrderPaid", partner="partner.shop", **summary)


def rated(rating: int) -> TimelineEntry:
    return fact("CaseRated", case_id=f"cs-{uuid.uuid4().hex[:8]}", rating=rating, resolution=1, reopened=False)


def add_rule(client: Client, token: str, on: str, when: list[dict[str, Any]], tags: list[str], **more: Any) -> str:
    body = {"name": f"{on} rule", "on": on, "when": when, "add_tags": tags, **more}
    answer = client.post("/v1/tag-rules", json_body=body, token=token)
    assert answer.status == 201, answer.body
    return str(answer.json["rule_id"])


def read(client: Client, token: str, contact_id: str) -> dict[str, Any]:
    answer = client.get(f"/v1/contacts/{contact_id}", token=token)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def test_an_order_in_a_category_tags_its_buyer_once(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    add_rule(client, admin, "OrderPaid", [{"field": "categories", "op": "has", "value": "母婴"}], ["母婴"])
    buyer = new_contact(client, admin)
    contact_id = buyer["contact_id"]

    autotag.on_fact(tenant, contact_id, order(["服饰"]))
    autotag.on_fact(tenant, contact_id, order())  # an order without categories
    assert read(client, admin, contact_id)["version"] == buyer["version"]

    paid = order(["服饰", "母婴"])
    autotag.on_fact(tenant, contact_id, paid)
    tagged = read(client, admin, contact_id)
    assert tagged["tags"] == ["母婴"]
    assert [e["tag"] for e in published(tenant, "ContactTagged")] == ["母婴"]
    # Delivered again (and another order of the kind): no write, no event.
    autotag.on_fact(tenant, contact_id, paid)
    autotag.on_fact(tenant, contact_id, order(["母婴"]))
    assert read(client, admin, contact_id)["version"] == tagged["version"]
    assert len(published(tenant, "ContactTagged")) == 1


def test_a_bad_rating_tags_its_contact_and_only_enabled_rules_of_its_type_apply(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    add_rule(client, admin, "CaseRated", [{"field": "rating", "op": "lte", "value": 2}], ["差评"])
    add_rule(client, admin, "CaseRated", [], ["评价过"], enabled=False)
    add_rule(client, admin, "OrderPaid", [], ["买家"])  # another fact type
    happy, unhappy = new_contact(client, admin), new_contact(client, admin)

    autotag.on_fact(tenant, happy["contact_id"], rated(4))
    autotag.on_fact(tenant, unhappy["contact_id"], rated(2))
    assert read(client, admin, happy["contact_id"])["tags"] == []
    assert read(client, admin, unhappy["contact_id"])["tags"] == ["差评"]


def test_rules_are_read_at_each_fact_so_a_change_applies_to_the_next(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    rule_id = add_rule(client, admin, "CaseRated", [{"field": "rating", "op": "eq", "value": 1}], ["差评"])
    first, second = new_contact(client, admin), new_contact(client, admin)
    changed = {"name": "off", "on": "CaseRated", "when": [], "add_tags": ["差评"], "enabled": False}
    assert client.put(f"/v1/tag-rules/{rule_id}", json_body=changed, token=admin).status == 200
    autotag.on_fact(tenant, first["contact_id"], rated(1))
    assert read(client, admin, first["contact_id"])["tags"] == []
    assert client.put(f"/v1/tag-rules/{rule_id}", json_body={**changed, "enabled": True}, token=admin).status == 200
    autotag.on_fact(tenant, second["contact_id"], rated(5))  # no condition left: any rating
    assert read(client, admin, second["contact_id"])["tags"] == ["差评"]
    assert client.delete(f"/v1/tag-rules/{rule_id}", token=admin).status == 204
    autotag.on_fact(tenant, first["contact_id"], rated(1))
    assert read(client, admin, first["contact_id"])["tags"] == []


def test_auto_tags_respect_single_choice_groups_and_stay_put_when_redelivered(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    group_of(client, admin, "消费层级", ["高消费", "低消费"], single_choice=True)
    add_rule(client, admin, "OrderPaid", [{"field": "amount_fen", "op": "gte", "value": BIG_ORDER}], ["高消费"])
    add_rule(client, admin, "OrderPaid", [{"field": "amount_fen", "op": "lt", "value": BIG_ORDER}], ["低消费"])
    # Two rules naming tags of one single-choice group for one fact: the later rule's tag is set.
    add_rule(client, admin, "OrderPaid", [{"field": "brand", "op": "eq", "value": "lux"}], ["低消费", "高消费"])
    buyer = new_contact(client, admin, tags=["低消费"])
    contact_id = buyer["contact_id"]

    big = order(amount_fen=BIG_ORDER)
    autotag.on_fact(tenant, contact_id, big)
    after = read(client, admin, contact_id)
    assert after["tags"] == ["高消费"]
    assert [e["tag"] for e in published(tenant, "ContactUntagged")] == ["低消费"]
    autotag.on_fact(tenant, contact_id, big)
    assert read(client, admin, contact_id)["version"] == after["version"]

    lux = fact("OrderPaid", order_id="o-lux", amount_fen=10, brand="lux", partner="partner.shop")
    autotag.on_fact(tenant, contact_id, lux)  # 低消费 (amount) then 低消费, 高消费 (brand): 高消费 last
    settled = read(client, admin, contact_id)
    assert settled["tags"] == ["高消费"]
    autotag.on_fact(tenant, contact_id, lux)
    assert read(client, admin, contact_id)["version"] == settled["version"]


def test_unknown_erased_and_merged_contacts(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    add_rule(client, admin, "CaseRated", [], ["评价过"])
    autotag.on_fact(tenant, "ct_nobody", rated(3))  # nothing, no error
    erased = new_contact(client, admin)
    assert client.delete(f"/v1/contacts/{erased['contact_id']}", token=admin).status == 204
    autotag.on_fact(tenant, erased["contact_id"], rated(3))
    assert published(tenant, "ContactTagged") == []

    older, newer = new_contact(client, admin), new_contact(client, admin)
    body = {"from_contact_id": newer["contact_id"], "reason": "same person"}
    assert client.post(f"/v1/contacts/{older['contact_id']}/merge", json_body=body, token=admin).status == 200
    autotag.on_fact(tenant, newer["contact_id"], rated(3))  # the alias's fact tags the survivor
    assert read(client, admin, older["contact_id"])["tags"] == ["评价过"]
    assert [e["contact_id"] for e in published(tenant, "ContactTagged")] == [older["contact_id"]]


def test_writers_keep_rules_and_every_role_reads_them(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    rule_id = add_rule(client, admin, "PointsAwarded", [{"field": "points", "op": "gt", "value": 100}], ["大额积分"])
    agent = client.staff_token(tenant, "a1", ("agent",))
    listed = client.get("/v1/tag-rules", token=agent)
    assert listed.status == 200, listed.body
    assert [(r["rule_id"], r["on"], r["when"], r["add_tags"], r["enabled"]) for r in listed.json["items"]] == [
        (rule_id, "PointsAwarded", [{"field": "points", "op": "gt", "value": 100}], ["大额积分"], True)
    ]
    assert client.get(f"/v1/tag-rules/{rule_id}", token=agent).json["name"] == "PointsAwarded rule"
    body = {"name": "x", "on": "CaseRated", "when": [], "add_tags": ["a"]}
    assert client.post("/v1/tag-rules", json_body=body, token=agent).status == 403
    assert client.put(f"/v1/tag-rules/{rule_id}", json_body=body, token=agent).status == 403
    assert client.get(f"/v1/tag-rules/{rule_id}", token=client.staff_token(f"{tenant}-b")).status == 404
    assert client.get("/v1/tag-rules/tr_unknown", token=admin).status == 404


GOOD = {"name": "r", "on": "OrderPaid", "add_tags": ["x"]}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({**GOOD, "when": [{"field": "amount_fen", "op": "between", "value": 1}]}, ["body", "when", "0", "op"]),
        ({**GOOD, "when": [{"field": "colour", "op": "eq", "value": "red"}]}, ["body", "when", "0", "field"]),
        ({**GOOD, "when": [{"field": "amount_fen", "op": "gte", "value": "100"}]}, ["body", "when", "0", "value"]),
        ({**GOOD, "when": [{"field": "amount_fen", "op": "eq", "value": "100"}]}, ["body", "when", "0", "value"]),
        ({**GOOD, "when": [{"field": "brand", "op": "gt", "value": 1}]}, ["body", "when", "0", "op"]),
        ({**GOOD, "when": [{"field": "categories", "op": "eq", "value": "母婴"}]}, ["body", "when", "0", "op"]),
        ({**GOOD, "when": [{"field": "categories", "op": "in", "value": "母婴"}]}, ["body", "when", "0", "value"]),
        ({**GOOD, "when": [{"field": "brand", "op": "has", "value": "a"}]}, ["body", "when", "0", "op"]),
        ({**GOOD, "when": [{"field": "amount_fen", "op": "gte"}]}, ["body", "when", "0", "value"]),
        (
            {**GOOD, "on": "CaseRated", "when": [{"field": "rating", "op": "eq", "value": True}]},
            ["body", "when", "0", "value"],
        ),
        (
            {**GOOD, "when": [{"field": "amount_fen", "op": "gt", "value": 1}] * (MAX_CONDITIONS + 1)},
            ["body", "when"],
        ),
        ({**GOOD, "add_tags": []}, ["body", "add_tags"]),
        ({**GOOD, "add_tags": ["x", "x"]}, ["body", "add_tags"]),
        ({**GOOD, "on": "OrderShipped"}, ["body", "on"]),
        ({**GOOD, "on": "ContactTagged"}, ["body", "on"]),
    ],
)
def test_a_bad_rule_is_refused_with_its_location(client: Client, tenant: str, body: Any, loc: list[str]) -> None:
    admin = client.staff_token(tenant)
    answer = client.post("/v1/tag-rules", json_body=body, token=admin)
    assert answer.status == 422, answer.body
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert loc in [error["loc"] for error in answer.json["errors"]], answer.json["errors"]
    assert setup_items(tenant) == []


def test_a_bad_replacement_leaves_the_rule_as_it_was(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    rule_id = add_rule(client, admin, "OrderPaid", [{"field": "categories", "op": "has", "value": "母婴"}], ["母婴"])
    before = client.get(f"/v1/tag-rules/{rule_id}", token=admin).json
    bad = {**GOOD, "when": [{"field": "colour", "op": "eq", "value": "red"}]}
    assert client.put(f"/v1/tag-rules/{rule_id}", json_body=bad, token=admin).status == 422
    assert client.get(f"/v1/tag-rules/{rule_id}", token=admin).json == before


def test_a_partner_order_with_a_category_tags_its_buyer_end_to_end(client: Client, tenant: str) -> None:
    """Over the bus, as in production: needs the timeline consumer to call ``autotag.on_fact``
    for each fact it records (the lead's wiring). The order names its buyer by phone, so contacts
    identifies the buyer and OrderBuyerIdentified carries the categories to the timeline."""
    admin = client.staff_token(tenant)
    add_rule(client, admin, "OrderPaid", [{"field": "categories", "op": "has", "value": "母婴"}], ["母婴"])
    buyer = new_contact(client, admin, phone="13800138011")
    data = {
        "order_id": f"o-{uuid.uuid4().hex[:8]}",
        "identity": {"kind": "phone", "value": "13800138011"},
        "amount_fen": 12_900,
        "brand": "acme",
        "categories": ["母婴", "玩具"],
    }
    publish_at(tenant, "partner.shop", "OrderPaid", data, moment(0))
    eventually(lambda: read(client, admin, buyer["contact_id"])["tags"] == ["母婴"])
    timeline = client.get(f"/v1/contacts/{buyer['contact_id']}/timeline?types=OrderPaid", token=admin).json["items"]
    assert timeline[0]["summary"]["categories"] == ["母婴", "玩具"]
    eventually(lambda: [e["tag"] for e in published(tenant, "ContactTagged")] == ["母婴"])
