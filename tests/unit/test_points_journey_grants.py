"""A journey's award step reaches the ledger (issue 16, point 4: award points, idempotent): points
credits outreach's JourneyPointsGranted once per grant, as an ordinary credit (reason ``journey``,
source ``journey:<grant_id>``, a lot that counts towards tiers)."""

from __future__ import annotations

import uuid
from typing import Any

from services.points.handlers.journeys import handler
from tests.unit.conftest import Client, eventually
from tests.unit.test_daily_stats import sqs_record
from tests.unit.test_points_api import balance, publish


def grant(contact_id: str, points: int) -> dict[str, Any]:
    return {
        "grant_id": f"jr_1#1#{contact_id}#1#{uuid.uuid4().hex[:6]}",
        "journey_id": "jr_1",
        "contact_id": contact_id,
        "points": points,
    }


def deliver(tenant: str, data: dict[str, Any]) -> dict[str, Any]:
    record = sqs_record("siyu.outreach", "JourneyPointsGranted", tenant, data, f"evt-{uuid.uuid4().hex}")
    return dict(handler({"Records": [record]}, None))


def test_a_grant_on_the_bus_is_credited(client: Client, tenant: str) -> None:
    member = client.member_login(tenant, "dev:o-journey-bus")
    publish(tenant, "JourneyPointsGranted", grant(member["contact_id"], 88), source="siyu.outreach")
    assert eventually(lambda: balance(client, member) == 88)


def test_a_grant_is_credited_once_however_often_it_comes(client: Client, tenant: str) -> None:
    member = client.member_login(tenant, "dev:o-journey")
    given = grant(member["contact_id"], 200)
    assert deliver(tenant, given) == {"batchItemFailures": []}
    assert deliver(tenant, given) == {"batchItemFailures": []}  # published again: nothing more
    assert deliver(tenant, grant(member["contact_id"], 50)) == {"batchItemFailures": []}  # another grant
    assert balance(client, member) == 250
    entries = client.get("/v1/me/points/entries", token=member["token"]).json["items"]
    journey = sorted((e["points"], e["reason"], e["source"]) for e in entries)
    assert journey == [(50, "journey", journey[0][2]), (200, "journey", f"journey:{given['grant_id']}")]
    account = client.get("/v1/me/points", token=member["token"]).json
    assert account["lifetime_earned"] == 250  # earned: it counts towards tiers
