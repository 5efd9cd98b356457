"""Lead scoring: tenant rules turn facts into points, capped per rule and
day; the score decays (halves every half-life) and is graded A-D; a grade change is published
once; ``GET /v1/contacts/{id}/score`` lists the contributions that make the score."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from local import dev_clock
from services.contacts.logic import insight, scoring
from services.contacts.models import Insight, TimelineEntry
from services.contacts.score_models import LeadScoring
from shared import clock
from tests.unit.conftest import Client, eventually
from tests.unit.test_contacts_insight import DAY, ago, new_contact, order, points, view
from tests.unit.test_contacts_merge import published


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    dev_clock.reset()
    yield
    dev_clock.reset()


RULES: dict[str, Any] = {
    "rules": [
        {
            "rule_id": "checkin",
            "name": "签到",
            "on": "PointsAwarded",
            "when": [{"field": "reason", "op": "eq", "value": "checkin"}],
            "points": 5,
            "daily_cap": 5,
        },
        {
            "rule_id": "big-order",
            "name": "大额订单",
            "on": "OrderPaid",
            "when": [{"field": "amount_fen", "op": "gte", "value": 10_000}],
            "points": 30,
        },
    ],
    "half_life_days": 30,
    "grades": {"A": 80, "B": 50, "C": 20},
}


def score(client: Client, token: str, contact_id: str, query: str = "") -> dict[str, Any]:
    answer = client.get(f"/v1/contacts/{contact_id}/score{query}", token=token)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def grade_changes(tenant: str, contact_id: str) -> list[tuple[str | None, str]]:
    return [
        (event["previous_grade"], event["grade"])
        for event in published(tenant, "ContactScoreChanged")
        if event["contact_id"] == contact_id
    ]


def test_facts_score_by_the_rules_capped_per_day_graded_and_listed(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    assert client.put("/v1/lead-scoring", json_body=RULES, token=admin).status == 200
    contact_id = new_contact(client, admin, name="lead")
    for _ in range(3):  # three check-ins in a day: the rule's cap is 5 a day
        points(tenant, contact_id, balance=1, earned=1, occurred_at=clock.now_rfc3339(), reason="checkin")
    points(tenant, contact_id, balance=1, earned=1, occurred_at=clock.now_rfc3339(), reason="order")  # no rule
    order(tenant, contact_id, 9_999, clock.now_rfc3339())  # below the rule's amount
    assert score(client, admin, contact_id)["score"] == 5
    order(tenant, contact_id, 20_000, clock.now_rfc3339())
    assert (score(client, admin, contact_id)["score"], view(client, admin, contact_id)["lead_grade"]) == (35, "C")
    order(tenant, contact_id, 50_000, clock.now_rfc3339())

    seen = score(client, admin, contact_id)
    assert (seen["score"], seen["grade"], seen["half_life_days"]) == (65, "B", 30)
    assert [(c["rule_id"], c["type"], c["points"]) for c in seen["contributions"]] == [
        ("big-order", "OrderPaid", 30),
        ("big-order", "OrderPaid", 30),
        ("checkin", "PointsAwarded", 5),
    ]
    first_page = score(client, admin, contact_id, "?limit=2")
    assert len(first_page["contributions"]) == 2
    rest = score(client, admin, contact_id, f"?limit=2&cursor={first_page['next_cursor']}")
    assert [c["rule_id"] for c in rest["contributions"]] == ["checkin"]
    assert grade_changes(tenant, contact_id) == [("D", "C"), ("C", "B")]


def test_the_score_decays_and_the_sweep_lowers_the_grade_without_any_fact(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    client.put("/v1/lead-scoring", json_body=RULES, token=admin)
    contact_id = new_contact(client, admin, name="cooling")
    order(tenant, contact_id, 20_000, clock.now_rfc3339())
    order(tenant, contact_id, 20_000, clock.now_rfc3339())
    assert score(client, admin, contact_id)["grade"] == "B"  # 60
    # 60 halves to 50 (B's floor) after 30 * log2(60/50) ≈ 7.9 days: the next check.
    due = clock.parse_rfc3339(view(client, admin, contact_id)["next_check_at"]) - clock.utc_now()
    assert 7.8 < due.total_seconds() / DAY < 8.0

    clock.set_offset_seconds(30 * DAY)
    seen = score(client, admin, contact_id)
    assert (seen["score"], seen["grade"]) == (30, "C")  # read: decayed today
    assert [c["points_now"] for c in seen["contributions"]] == [15.0, 15.0]
    insight.sweep(only_tenant=tenant)
    assert view(client, admin, contact_id)["lead_grade"] == "C"
    assert grade_changes(tenant, contact_id)[-1] == ("B", "C")
    assert insight.sweep(only_tenant=tenant).changed == 0


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        (lambda r: r["rules"][1]["when"][0].update(field="colour"), ["body", "rules", "1", "when", "0", "field"]),
        (lambda r: r["rules"][0].update(points=0), ["body", "rules", "0", "points"]),
        (lambda r: r["rules"][1].update(rule_id="checkin"), ["body", "rules"]),
        (lambda r: r["grades"].update(B=90), ["body", "grades"]),
        (lambda r: r["rules"][0].update(on="Nonsense"), ["body", "rules", "0", "on"]),
        (lambda r: r["rules"][0]["when"][0].update(op="like"), ["body", "rules", "0", "when", "0", "op"]),
    ],
)
def test_bad_scoring_is_refused_and_changes_nothing(client: Client, tenant: str, change: Any, loc: list[Any]) -> None:
    admin = client.staff_token(tenant)
    body = {**RULES, "rules": [dict(rule, when=[dict(c) for c in rule["when"]]) for rule in RULES["rules"]]}
    body["grades"] = dict(RULES["grades"])
    change(body)
    answer = client.put("/v1/lead-scoring", json_body=body, token=admin)
    assert answer.status == 422, answer.body
    assert answer.json["errors"][0]["loc"] == loc
    assert client.get("/v1/lead-scoring", token=admin).json == LeadScoring().model_dump(mode="json")


def test_only_admins_set_scoring_and_guides_see_only_their_contacts_scores(client: Client, tenant: str) -> None:
    manager = client.staff_token(tenant, "m1", ("manager",))
    assert client.get("/v1/lead-scoring", token=manager).status == 200
    assert client.put("/v1/lead-scoring", json_body=RULES, token=manager).status == 403
    contact_id = new_contact(client, client.staff_token(tenant), name="x")
    assert (
        client.get(f"/v1/contacts/{contact_id}/score", token=client.staff_token(tenant, "g", ("guide",))).status == 404
    )


def test_points_add_up_to_the_same_score_in_any_order() -> None:
    rules = LeadScoring.model_validate(RULES)
    facts = [
        TimelineEntry(event_id=f"e{n}", type="OrderPaid", occurred_at=at, source="p", summary={"amount_fen": 10_000})
        for n, at in enumerate(("2026-11-01T00:00:00.000Z", "2026-11-20T00:00:00.000Z", "2026-11-05T00:00:00.000Z"))
    ]
    now = datetime(2026, 12, 1, tzinfo=UTC)
    totals = []
    for ordering in (facts, facts[::-1], [facts[1], facts[0], facts[2]]):
        current = Insight(tenant_id="t", contact_id="c")
        for entry in ordering:
            current, _ = scoring.with_points(current, entry, rules)
        totals.append(round(scoring.score_now(current, rules, now)))
    # 30 points 30, 26 and 11 days ago, halving every 30 days.
    expected = sum(30_000 * 0.5 ** (days / 30) for days in (30, 26, 11))
    assert totals == [pytest.approx(expected, abs=2)] * 3
    assert scoring.grade_of(expected, rules) == "B"  # 54.8


def test_a_merge_adds_the_scores_and_the_breakdown(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    client.put("/v1/lead-scoring", json_body=RULES, token=admin)
    older = new_contact(client, admin, name="older")
    newer = new_contact(client, admin, name="newer")
    order(tenant, older, 20_000, ago(0))
    order(tenant, newer, 20_000, ago(0))
    answer = client.post(
        f"/v1/contacts/{older}/merge", json_body={"from_contact_id": newer, "reason": "same"}, token=admin
    )
    assert answer.status == 200

    eventually(lambda: score(client, admin, older)["score"] == 60)
    assert len(score(client, admin, older)["contributions"]) == 2
    assert score(client, admin, newer)["contact_id"] == older
