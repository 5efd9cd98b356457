"""Segments: rules over tags, stage, RFM, scores, points, source, owners and
attributes; membership kept current with each contact change (counts and members never scan);
a new rule backfilled by a job; one SegmentMembershipChanged per change; static segments."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local import dev_clock
from services.contacts.dal import contacts as contacts_dal
from services.contacts.dal import insight as insight_dal
from services.contacts.dal import segments as segments_dal
from services.contacts.logic import contacts as contacts_logic
from services.contacts.logic import insight, rfm, segment_rules, segments
from services.contacts.models import Contact, Insight, LifecycleRules, TimelineEntry
from services.contacts.score_models import LeadScoring
from shared import clock
from tests.unit.conftest import Client, eventually
from tests.unit.test_contacts_insight import DAY, ago, new_contact, order
from tests.unit.test_contacts_merge import published
from tests.unit.test_contacts_timeline import create


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    dev_clock.reset()
    yield
    dev_clock.reset()


def make_segment(client: Client, token: str, rule: Any, name: str = "seg") -> dict[str, Any]:
    answer = client.post("/v1/segments", json_body={"name": name, "rule": rule}, token=token)
    assert answer.status == 201, answer.body
    segment = dict(answer.json)
    ready = eventually(
        lambda: segment_view(client, token, segment["segment_id"])["status"] == "ready" or None, timeout=30
    )
    assert ready
    return segment


def segment_view(client: Client, token: str, segment_id: str) -> dict[str, Any]:
    answer = client.get(f"/v1/segments/{segment_id}", token=token)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def count(client: Client, token: str, segment_id: str) -> int:
    return int(segment_view(client, token, segment_id)["count"])


def member_ids(client: Client, token: str, segment_id: str) -> set[str]:
    found: set[str] = set()
    cursor = ""
    for _ in range(100):
        page = client.get(f"/v1/segments/{segment_id}/members?limit=50{cursor}", token=token).json
        found |= {member["contact_id"] for member in page["items"]}
        if page["next_cursor"] is None:
            return found
        cursor = f"&cursor={page['next_cursor']}"
    raise AssertionError("the pages never end")


def changes(tenant: str, segment_id: str) -> list[tuple[str, str]]:
    found = []
    for event in published(tenant, "SegmentMembershipChanged"):
        found += [(event["contact_id"], "entered") for s in event["entered"] if s == segment_id]
        found += [(event["contact_id"], "left") for s in event["left"] if s == segment_id]
    return found


def test_a_tag_segment_is_backfilled_then_follows_each_tag_change_with_one_event(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    vips = [create(client, admin, name=f"vip{n}", tags=["VIP"]) for n in range(3)]
    other = create(client, admin, name="other", tags=["普通"])
    segment = make_segment(client, admin, {"field": "tag", "op": "has", "value": "VIP"})
    segment_id = segment["segment_id"]
    assert count(client, admin, segment_id) == 3
    assert member_ids(client, admin, segment_id) == set(vips)
    job = client.get(f"/v1/jobs/{segment['backfill_job_id']}", token=admin).json
    assert (job["kind"], job["status"], job["progress"]["done"]) == ("segment_backfill", "succeeded", 4)

    assert client.put(f"/v1/contacts/{other}/tags/VIP", token=admin).status == 200
    eventually(lambda: count(client, admin, segment_id) == 4)
    assert changes(tenant, segment_id).count((other, "entered")) == 1
    assert client.delete(f"/v1/contacts/{vips[0]}/tags/VIP", token=admin).status == 200
    eventually(lambda: count(client, admin, segment_id) == 3)
    assert member_ids(client, admin, segment_id) == {*vips[1:], other}
    expected = [*[(v, "entered") for v in vips], (other, "entered"), (vips[0], "left")]
    assert sorted(changes(tenant, segment_id)) == sorted(expected)
    # Evaluating again (a redelivery, a retry) changes nothing and publishes nothing.
    before = len(published(tenant, "SegmentMembershipChanged"))
    for contact_id in [*vips, other]:
        assert segments.reevaluate(tenant, contact_id) == segments.Evaluation([], [])
    assert len(published(tenant, "SegmentMembershipChanged")) == before


def test_attributes_owners_and_erasure(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    shanghai = create(client, admin, name="a", attributes={"city_code": "SH", "visits": 5})
    create(client, admin, name="b", attributes={"city_code": "BJ", "visits": 1})
    rule = {
        "and": [
            {"field": "attributes.city_code", "op": "eq", "value": "SH"},
            {"field": "attributes.visits", "op": "gte", "value": 3},
        ]
    }
    segment_id = make_segment(client, admin, rule)["segment_id"]
    assert member_ids(client, admin, segment_id) == {shanghai}
    patched = client.patch(f"/v1/contacts/{shanghai}", json_body={"attributes": {"visits": 2}}, token=admin)
    assert patched.status == 200, patched.body
    eventually(lambda: count(client, admin, segment_id) == 0)

    owned = create(client, admin, name="c", attributes={"city_code": "SH", "visits": 9})
    eventually(lambda: count(client, admin, segment_id) == 1)
    assert client.delete(f"/v1/contacts/{owned}", token=admin).status == 204
    eventually(lambda: count(client, admin, segment_id) == 0)


@pytest.mark.parametrize(
    ("rule", "loc"),
    [
        ({"field": "colour", "op": "eq", "value": "red"}, ["body", "rule", "field"]),
        ({"field": "tag", "op": "gt", "value": "VIP"}, ["body", "rule", "op"]),
        ({"field": "tag", "op": "has", "value": "NeverUsed"}, ["body", "rule", "value"]),
        ({"field": "attributes.never_set", "op": "eq", "value": 1}, ["body", "rule", "field"]),
        ({"field": "lifecycle", "op": "eq", "value": "sleepy"}, ["body", "rule", "value"]),
        ({"field": "lead_score", "op": "gt", "value": "high"}, ["body", "rule", "value"]),
        ({"and": [{"field": "lifecycle", "op": "like", "value": "new"}]}, ["body", "rule"]),
        (
            {"not": {"not": {"not": {"not": {"not": {"field": "lifecycle", "op": "eq", "value": "new"}}}}}},
            ["body", "rule"],
        ),
        ({"or": [{"field": "lifecycle", "op": "eq", "value": "new"}] * 51}, ["body", "rule"]),
    ],
)
def test_bad_rules_are_refused_with_their_loc_and_change_nothing(
    client: Client, tenant: str, rule: Any, loc: list[Any]
) -> None:
    admin = client.staff_token(tenant)
    answer = client.post("/v1/segments", json_body={"name": "bad", "rule": rule}, token=admin)
    assert answer.status == 422, answer.body
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json["errors"][0]["loc"][: len(loc)] == loc
    assert client.get("/v1/segments", token=admin).json["items"] == []
    assert client.post("/v1/segments/preview", json_body={"rule": rule}, token=admin).status == 422


def test_preview_static_segments_templates_roles_and_tenants(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    ids = [create(client, admin, name=f"p{n}", tags=["Preview"] if n % 2 else []) for n in range(6)]
    preview = client.post(
        "/v1/segments/preview", json_body={"rule": {"field": "tag", "op": "has", "value": "Preview"}}, token=admin
    )
    assert preview.status == 200
    assert {k: preview.json[k] for k in ("sampled", "matched", "share", "complete")} == {
        "sampled": 6,
        "matched": 3,
        "share": 0.5,
        "complete": True,
    }
    assert set(preview.json["sample"]) == set(ids[1::2])

    static = client.post(
        "/v1/segments", json_body={"name": "list", "kind": "static", "contact_ids": ids[:2]}, token=admin
    )
    assert static.status == 201, static.body
    static_id = static.json["segment_id"]
    assert (static.json["status"], static.json["count"]) == ("ready", 2)
    changed = client.post(
        f"/v1/segments/{static_id}/members", json_body={"add": [ids[2]], "remove": [ids[0]]}, token=admin
    )
    assert changed.json["count"] == 2
    assert member_ids(client, admin, static_id) == {ids[1], ids[2]}
    unknown = client.post(f"/v1/segments/{static_id}/members", json_body={"add": ["ct_nosuch"]}, token=admin)
    assert unknown.status == 422
    assert count(client, admin, static_id) == 2
    # A static segment keeps its members through evaluations of the contact.
    segments.reevaluate(tenant, ids[1])
    assert count(client, admin, static_id) == 2

    templates = client.get("/v1/segment-templates", token=admin).json["items"]
    assert {"新客", "活跃会员", "高价值", "沉睡", "流失风险"} <= {t["name"] for t in templates}
    for template in templates:  # every template is a valid rule
        assert client.post("/v1/segments/preview", json_body={"rule": template["rule"]}, token=admin).status == 200

    guide = client.staff_token(tenant, "g", ("guide",))
    assert client.post("/v1/segments", json_body={"name": "x", "rule": templates[0]["rule"]}, token=guide).status == 403
    assert client.get(f"/v1/segments/{static_id}/members", token=guide).status == 403
    assert client.get(f"/v1/segments/{static_id}", token=client.staff_token(f"{tenant}-x")).status == 404


def test_time_alone_moves_a_contact_into_an_inactivity_segment(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = new_contact(client, admin, name="quiet")
    order(tenant, contact_id, 1_000, clock.now_rfc3339())
    segment_id = make_segment(client, admin, {"field": "last_active_days", "op": "gt", "value": 7})["segment_id"]
    assert count(client, admin, segment_id) == 0
    assert segments.sweep(only_tenant=tenant) == {"due": 0, "changed": 0}
    clock.set_offset_seconds(8 * DAY + 60)
    assert segments.sweep(only_tenant=tenant) == {"due": 1, "changed": 1}
    assert member_ids(client, admin, segment_id) == {contact_id}
    order(tenant, contact_id, 1_000, clock.now_rfc3339())  # active again: out at once
    assert count(client, admin, segment_id) == 0


def seed_buyer(tenant: str, name: str, orders: list[tuple[int, str]]) -> str:
    """A contact and the insight its orders make, counted by the rules the timeline consumer
    applies, written directly (200 buyers' events through the bus would take minutes)."""
    contact = contacts_logic.new_contact(tenant, name=name)
    contacts_dal.save(None, contact, [])
    now = clock.utc_now()
    before = Insight(tenant_id=tenant, contact_id=contact.contact_id)
    counted = before
    for amount, at in orders:
        entry = TimelineEntry(
            event_id=f"evt-{uuid.uuid4().hex}",
            type="OrderPaid",
            occurred_at=at,
            source="partner.shop",
            summary={"order_id": uuid.uuid4().hex[:8], "amount_fen": amount},
        )
        counted = insight.with_fact(counted, entry, now)
    after, _ = insight.assess(before, counted, (LifecycleRules(), LeadScoring()), now)
    tx = insight_dal.transaction()
    insight_dal.write(tx, before, after, [])
    tx.commit()
    return contact.contact_id


def test_rfm_groups_and_segment_counts_are_exact_on_200_seeded_contacts(client: Client, tenant: str) -> None:
    """Eight cohorts of 25 buyers, one per RFM group by construction: recent (1 day) or long ago
    (300 days), two orders or one, a high or a low amount."""
    admin = client.staff_token(tenant)
    # The segments exist before the buyers and the nightly batch: the batch's new RFM groups move
    # the contacts in, incrementally.
    made = {
        name: make_segment(client, admin, {"field": "rfm_group", "op": "eq", "value": name}, name)
        for name in rfm.GROUPS.values()
    }
    valuable = make_segment(client, admin, {"field": "rfm_group", "op": "in", "value": ["重要价值", "重要保持"]})
    cohorts: dict[str, list[str]] = {}
    for (recent, frequent, big), group in rfm.GROUPS.items():
        days, count_of_orders = (1 if recent else 300), (2 if frequent else 1)
        amount = (40_000 if big else 1_000) // count_of_orders
        cohorts[group] = [
            seed_buyer(tenant, group, [(amount, ago(days + n)) for n in range(count_of_orders)]) for _ in range(25)
        ]
    assert all(count(client, admin, segment["segment_id"]) == 0 for segment in made.values())
    rfm.run(only_tenant=tenant)
    for name, segment in made.items():
        assert count(client, admin, segment["segment_id"]) == 25, name
        assert member_ids(client, admin, segment["segment_id"]) == set(cohorts[name]), name
    assert count(client, admin, valuable["segment_id"]) == 50

    # Tagging one of them changes a segment's count within seconds, with exactly one entered event.
    vip = cohorts["重要价值"][0]
    assert client.put(f"/v1/contacts/{vip}/tags/VIP", token=admin).status == 200
    tagged = make_segment(
        client,
        admin,
        {
            "and": [
                {"field": "rfm_group", "op": "eq", "value": "重要价值"},
                {"field": "tag", "op": "has", "value": "VIP"},
            ]
        },
    )
    assert count(client, admin, tagged["segment_id"]) == 1
    other = cohorts["重要价值"][1]
    assert client.put(f"/v1/contacts/{other}/tags/VIP", token=admin).status == 200
    eventually(lambda: count(client, admin, tagged["segment_id"]) == 2)
    assert changes(tenant, tagged["segment_id"]).count((other, "entered")) == 1


def test_the_pure_rules() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    contact = Contact(
        tenant_id="t",
        contact_id="c",
        tags=["VIP", "母婴"],
        owners={"acme": "staff-1"},
        source={"campaign_id": "cp_1", "channel": "store", "brand": "acme"},
        attributes={"visits": 4},
        created_at="2026-10-01T00:00:00.000Z",
        updated_at="2026-10-01T00:00:00.000Z",
    )
    insight = Insight(
        tenant_id="t",
        contact_id="c",
        last_active_at="2026-11-21T00:00:00.000Z",
        lifecycle="growing",
        points_balance=120,
        lead_millis=60_000,
        lead_as_of="2026-12-01T00:00:00.000Z",
    )
    scoring = LeadScoring()
    subject = segment_rules.subject_of(contact, insight, scoring, now)
    assert subject.values["last_active_days"] == 10
    rule = segments.parse_rule(
        {
            "and": [
                {"field": "tag", "op": "in", "value": ["VIP", "X"]},
                {"not": {"field": "tag", "op": "has", "value": "黑名单"}},
                {
                    "or": [
                        {"field": "brand", "op": "eq", "value": "acme"},
                        {"field": "rfm_group", "op": "eq", "value": "重要价值"},
                    ]
                },
                {"field": "owner_staff_id", "op": "eq", "value": "staff-1"},
                {"field": "source.channel", "op": "in", "value": ["store", "web"]},
                {"field": "points_balance", "op": "gte", "value": 100},
                {"field": "lead_grade", "op": "eq", "value": "B"},
                {"field": "rfm_group", "op": "ne", "value": "一般挽留"},  # no RFM yet: ne holds
                {"field": "attributes.visits", "op": "lt", "value": 5},
            ]
        }
    )
    assert segment_rules.matches(rule, subject)
    assert not segment_rules.matches(
        segments.parse_rule({"field": "rfm_group", "op": "eq", "value": "一般挽留"}), subject
    )
    # last_active_days > 12 flips 13 days after the last activity; a score of 60 is looked at
    # again when it falls below 51.5 (its rounding changes), after 30 * log2(60 / 51.5) days.
    inactive = segments.parse_rule({"field": "last_active_days", "op": "gt", "value": 12})
    assert segment_rules.next_flip([inactive], subject, scoring, now) == "2026-12-03T00:00:00.000Z"
    lead = segments.parse_rule({"field": "lead_score", "op": "gte", "value": 51})
    flip = clock.parse_rfc3339(str(segment_rules.next_flip([lead], subject, scoring, now)))
    assert abs(flip - (now + timedelta(days=30 * 0.22038))) < timedelta(minutes=5)
    assert segments_dal.COUNT_SHARDS > 1
