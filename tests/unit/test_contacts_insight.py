"""Facts, lifecycle and RFM: what contacts derives from a contact's facts,
counted once per fact in the transaction that puts it on the timeline; stages that change with
time by a sweep that reads only what is due; RFM scored nightly from each tenant's distribution."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local import dev_clock
from services.contacts.dal import insight as insight_dal
from services.contacts.logic import insight, rfm
from services.contacts.models import Insight, LifecycleRules, TimelineEntry
from shared import clock
from shared.manifest import resolve_handler
from tests.unit.conftest import Client, eventually
from tests.unit.test_contacts_merge import published, tenant_items
from tests.unit.test_contacts_timeline import create, types_of

TIMELINE = "services.contacts.handlers.timeline.handler"
DAY = 86_400


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    dev_clock.reset()
    yield
    dev_clock.reset()


def ago(days: float) -> str:
    return clock.rfc3339(clock.utc_now() - timedelta(days=days))


def fact(
    tenant: str, source: str, detail_type: str, data: dict[str, Any], occurred_at: str, event_id: str | None = None
) -> str:
    """Hand one event, with its time, straight to the timeline consumer (redelivered on a race)."""
    event_id = event_id or f"evt-{uuid.uuid4().hex}"
    body = {
        "source": source,
        "detail-type": detail_type,
        "detail": {
            "metadata": {
                "event_id": event_id,
                "event_version": 1,
                "tenant_id": tenant,
                "occurred_at": occurred_at,
                "correlation_id": "insight-test",
            },
            "data": data,
        },
    }
    handler = resolve_handler(TIMELINE)
    record = {"messageId": f"m-{uuid.uuid4().hex}", "body": json.dumps(body)}
    for _ in range(5):
        if handler({"Records": [record]}, None) == {"batchItemFailures": []}:
            return event_id
    raise AssertionError(f"{detail_type} was not applied")


def order(tenant: str, contact_id: str, amount_fen: int, occurred_at: str, order_id: str | None = None) -> str:
    data = {"order_id": order_id or f"o-{uuid.uuid4().hex[:8]}", "contact_id": contact_id, "amount_fen": amount_fen}
    return fact(tenant, "partner.shop", "OrderPaid", data | {"brand": "acme"}, occurred_at)


def points(tenant: str, contact_id: str, balance: int, earned: int, occurred_at: str, reason: str = "order") -> str:
    data = {
        "contact_id": contact_id,
        "entry_id": f"le-{uuid.uuid4().hex[:8]}",
        "balance": balance,
        "points": 10,
        "lifetime_earned": earned,
        "reason": reason,
        "source": f"{reason}:{uuid.uuid4().hex[:8]}",
    }
    return fact(tenant, "siyu.points", "PointsAwarded", data, occurred_at)


def view(client: Client, token: str, contact_id: str) -> dict[str, Any]:
    answer = client.get(f"/v1/contacts/{contact_id}/insight", token=token)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def new_contact(client: Client, token: str, **fields: Any) -> str:
    """A contact whose creation has reached its insight (ContactCreated travels over the bus)."""
    contact_id = create(client, token, **fields)
    eventually(lambda: "ContactCreated" in types_of(client, token, contact_id), timeout=30)
    return contact_id


def stages(tenant: str, contact_id: str) -> list[tuple[str, str, str]]:
    return [
        (event["previous_stage"], event["stage"], event["reason"])
        for event in published(tenant, "ContactLifecycleChanged")
        if event["contact_id"] == contact_id
    ]


def test_facts_count_once_and_orders_move_the_stage_new_growing_mature(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = new_contact(client, admin, name="buyer")
    assert view(client, admin, contact_id)["lifecycle"] == "new"

    paid_at = ago(3)
    first = order(tenant, contact_id, 10_000, paid_at)
    fact(
        tenant,
        "partner.shop",
        "OrderPaid",
        {"order_id": "dup", "contact_id": contact_id, "amount_fen": 1, "brand": "acme"},
        paid_at,
        event_id=first,
    )  # the same event again: nothing more
    assert view(client, admin, contact_id)["orders_total"] == 1
    order(tenant, contact_id, 5_000, ago(2))
    order(tenant, contact_id, 2_500, ago(400))  # outside the 365-day window, still an order ever
    points(tenant, contact_id, balance=120, earned=300, occurred_at=ago(1))
    points(tenant, contact_id, balance=90, earned=250, occurred_at=ago(2))  # older report: not the balance
    fact(
        tenant,
        "siyu.points",
        "TierChanged",
        {"contact_id": contact_id, "previous_tier": None, "tier": "gold", "earned_in_window": 300},
        ago(1),
    )

    seen = view(client, admin, contact_id)
    figures = ("lifecycle", "orders_365", "amount_365_fen", "orders_total", "points_earned", "points_balance")
    assert [seen[name] for name in (*figures, "points_tier", "rfm")] == ["mature", 2, 15_000, 3, 300, 120, "gold", None]
    assert seen["first_active_at"] < seen["last_order_at"] == seen["last_active_at"]
    # The last activity was two days ago: dormant 28 days from now.
    due = clock.parse_rfc3339(seen["next_check_at"]) - clock.utc_now()
    assert timedelta(days=27, hours=23) < due < timedelta(days=28, minutes=1)
    assert stages(tenant, contact_id) == [("new", "growing", "order"), ("growing", "mature", "order")]
    # The profile and the contacts list tell the stage the insight holds.
    assert client.get(f"/v1/contacts/{contact_id}", token=admin).json["lifecycle_stage"] == "mature"
    listed = client.get("/v1/contacts", token=admin).json["items"]
    assert [c["lifecycle_stage"] for c in listed if c["contact_id"] == contact_id] == ["mature"]


def test_facts_in_any_order_give_the_same_insight(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    times = [ago(10), ago(5), ago(1)]
    results = []
    for order_of_delivery in ([0, 1, 2], [2, 0, 1]):
        contact_id = new_contact(client, admin, name="x")
        for index in order_of_delivery:
            order(tenant, contact_id, 1_000 * (index + 1), times[index], order_id=f"o{index}")
            points(tenant, contact_id, balance=10 * (index + 1), earned=100 * (index + 1), occurred_at=times[index])
        seen = view(client, admin, contact_id)
        results.append({k: v for k, v in seen.items() if k not in ("contact_id", "lifecycle_since", "next_check_at")})
    assert results[0] == results[1]
    assert results[0]["points_balance"] == 30
    assert results[0]["amount_365_fen"] == 6_000


def test_a_contact_without_activity_goes_dormant_then_churned_by_the_sweep(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    idle = new_contact(client, admin, name="idle")
    active = new_contact(client, admin, name="active")
    fact(tenant, "siyu.contacts", "ContactTagged", {"contact_id": active, "version": 2, "tag": "VIP"}, ago(0))

    assert insight.sweep(only_tenant=tenant).due == 0  # nothing due yet
    clock.set_offset_seconds(31 * DAY)
    # The member who logs in on day 31 is active again: not dormant.
    points(tenant, active, balance=1, earned=1, occurred_at=clock.now_rfc3339(), reason="checkin")
    report = insight.sweep(only_tenant=tenant)
    assert report.due == 1
    assert report.changed == 1
    assert report.items_read <= 3 * report.due + 1  # the index entry, the insight, the tenant's rules
    assert view(client, admin, idle)["lifecycle"] == "dormant"
    assert view(client, admin, active)["lifecycle"] == "new"
    assert insight.sweep(only_tenant=tenant).due == 0  # rescheduled: running it again reads nothing

    clock.set_offset_seconds(91 * DAY)
    assert insight.sweep(only_tenant=tenant).changed == 2
    assert view(client, admin, idle)["lifecycle"] == "churned"
    assert view(client, admin, idle)["next_check_at"] is None  # out of the index for good
    assert stages(tenant, idle) == [("new", "dormant", "inactivity"), ("dormant", "churned", "inactivity")]

    # A churned member who buys again is a customer again, and back in the index.
    order(tenant, idle, 100, clock.now_rfc3339())
    back = view(client, admin, idle)
    assert back["lifecycle"] == "growing"
    assert back["next_check_at"] is not None


def test_tenant_rules_change_the_thresholds(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    assert client.get("/v1/lifecycle-rules", token=admin).json == LifecycleRules().model_dump()
    rules = {"growing_after_points": 50, "mature_after_orders": 2, "dormant_after_days": 7, "churned_after_days": 20}
    assert client.put("/v1/lifecycle-rules", json_body=rules, token=admin).json == rules
    contact_id = new_contact(client, admin, name="x")
    points(tenant, contact_id, balance=60, earned=60, occurred_at=ago(0))
    assert view(client, admin, contact_id)["lifecycle"] == "growing"
    order(tenant, contact_id, 100, ago(0))
    order(tenant, contact_id, 100, ago(0))
    assert view(client, admin, contact_id)["lifecycle"] == "mature"
    clock.set_offset_seconds(8 * DAY)
    insight.sweep(only_tenant=tenant)
    assert view(client, admin, contact_id)["lifecycle"] == "dormant"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"dormant_after_days": 30, "churned_after_days": 30}, ["body"]),
        ({"dormant_after_days": 0}, ["body", "dormant_after_days"]),
        ({"mature_after_orders": 1}, ["body", "mature_after_orders"]),
        ({"dormant_after_days": "soon"}, ["body", "dormant_after_days"]),
        ({"other": 1}, ["body", "other"]),
    ],
)
def test_bad_rules_are_refused_and_change_nothing(client: Client, tenant: str, body: Any, loc: list[str]) -> None:
    admin = client.staff_token(tenant)
    answer = client.put("/v1/lifecycle-rules", json_body=body, token=admin)
    assert answer.status == 422
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json["errors"][0]["loc"] == loc
    assert client.get("/v1/lifecycle-rules", token=admin).json == LifecycleRules().model_dump()


def test_only_admins_set_the_rules_and_guides_see_only_their_contacts(client: Client, tenant: str) -> None:
    manager = client.staff_token(tenant, "m1", ("manager",))
    assert client.get("/v1/lifecycle-rules", token=manager).status == 200
    assert client.put("/v1/lifecycle-rules", json_body={}, token=manager).status == 403
    admin = client.staff_token(tenant)
    contact_id = create(client, admin, name="someone's")
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.get(f"/v1/contacts/{contact_id}/insight", token=guide).status == 404
    other_tenant = client.staff_token(f"{tenant}-x")
    assert client.get(f"/v1/contacts/{contact_id}/insight", token=other_tenant).status == 404


def test_a_merge_adds_the_aliass_facts_once_and_an_erasure_removes_the_insight(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    older = new_contact(client, admin, name="older")
    newer = new_contact(client, admin, name="newer")
    order(tenant, older, 1_000, ago(5))
    order(tenant, newer, 2_000, ago(4))
    order(tenant, newer, 3_000, ago(3))
    merged = client.post(
        f"/v1/contacts/{older}/merge", json_body={"from_contact_id": newer, "reason": "same"}, token=admin
    )
    assert merged.status == 200
    eventually(lambda: view(client, admin, older)["orders_total"] == 3)
    # The merge event again (a redelivery): folded once.
    event = published(tenant, "ContactsMerged")[0]
    fact(tenant, "siyu.contacts", "ContactsMerged", event, ago(0))
    seen = view(client, admin, older)
    assert (seen["orders_total"], seen["amount_365_fen"], seen["lifecycle"]) == (3, 6_000, "mature")
    assert view(client, admin, newer) == seen  # the alias answers the survivor

    assert client.delete(f"/v1/contacts/{older}", token=admin).status == 204
    assert [i for i in tenant_items(tenant) if i.get("kind") == "insight" and i["contact_id"] == older] == []


def test_rfm_scores_each_tenants_buyers_by_fifths_and_groups_them_against_the_average() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    buyers = [
        # (contact, days since the last order, orders, amount in fen)
        rfm.Buyer("a", 1, 10, 100_000),  # best on all three
        rfm.Buyer("b", 2, 1, 90_000),  # recent, one big order
        rfm.Buyer("c", 300, 8, 80_000),  # long ago, often, a lot
        rfm.Buyer("d", 200, 1, 70_000),
        rfm.Buyer("e", 5, 6, 1_000),
        rfm.Buyer("f", 6, 1, 500),
        rfm.Buyer("g", 250, 7, 800),
        rfm.Buyer("h", 360, 1, 100),
        rfm.Buyer("i", 359, 1, 100),  # ties with h on F and M
        rfm.Buyer("j", 358, 1, 100),
    ]
    scored = rfm.score(buyers, clock.rfc3339(now))
    # Averages: 184.1 days, 3.7 orders, 34,260 fen.
    assert {contact: s.group for contact, s in scored.items()} == {
        "a": "重要价值",
        "b": "重要发展",
        "c": "重要保持",
        "d": "重要挽留",
        "e": "一般价值",
        "f": "一般发展",
        "g": "一般保持",
        "h": "一般挽留",
        "i": "一般挽留",
        "j": "一般挽留",
    }
    # Fifths of ten buyers: the best two score 5 ... the worst two 1; equal values score the same.
    assert [scored[c].recency for c in "abefdgcjih"] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert [scored[c].frequency for c in "acge"] == [5, 5, 4, 4]
    assert {scored[c].frequency for c in "bdfhij"} == {1}
    assert [scored[c].monetary for c in "abcdgef"] == [5, 5, 4, 4, 3, 3, 2]
    assert {scored[c].monetary for c in "hij"} == {1}


def test_the_nightly_batch_scores_buyers_and_clears_those_without_orders(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    recent = new_contact(client, admin, name="recent")
    lapsed = new_contact(client, admin, name="lapsed")
    never = new_contact(client, admin, name="never")
    for days in (1, 2, 3):
        order(tenant, recent, 10_000, ago(days))
    order(tenant, lapsed, 1_000, ago(300))
    rfm.run(only_tenant=tenant)
    assert view(client, admin, recent)["rfm"]["group"] == "重要价值"
    assert view(client, admin, lapsed)["rfm"]["group"] == "一般挽留"
    assert view(client, admin, never)["rfm"] is None
    version = insight_dal.get(tenant, recent)
    assert version is not None
    rfm.run(only_tenant=tenant)  # nothing changed: nothing written
    assert insight_dal.get(tenant, recent) == version

    clock.set_offset_seconds(70 * DAY)  # the lapsed buyer's order leaves the 365-day window
    rfm.run(only_tenant=tenant)
    assert view(client, admin, lapsed)["rfm"] is None


def test_the_nightly_scan_reads_every_tenants_insights(client: Client, tenant: str) -> None:
    """The batch's parallel scan finds every tenant's insights (read only here: a whole-table
    write would hold every other test's events behind it on the table's stream)."""
    admin = client.staff_token(tenant)
    contact_id = new_contact(client, admin, name="scanned")
    order(tenant, contact_id, 500, ago(1))
    found = rfm._every_tenants_insights()
    assert [item["contact_id"] for item in found[tenant]] == [contact_id]
    assert rfm.buyer_of(found[tenant][0], clock.utc_now()) == rfm.Buyer(contact_id, 1, 1, 500)


def test_the_pure_rules_reckon_dormancy_from_creation_when_never_active() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    created = TimelineEntry(event_id="e1", type="ContactCreated", occurred_at="2026-10-01T00:00:00.000Z", source="s")
    empty = Insight(tenant_id="t", contact_id="c")
    after = insight.with_fact(empty, created, now)
    assert insight.stage_of(after, LifecycleRules(), now) == "dormant"
    assert insight.next_check(after, LifecycleRules(), now) == "2026-12-30T00:00:00.000Z"
