"""The dashboard's daily figures: new contacts, scans and conversions, points issued and redeemed,
per business day, each fact counted once whatever the duplicates, retries and races."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from local.stack import LocalStack
from services.campaigns.dal import campaigns as campaigns_dal
from services.campaigns.handlers.attribution import handler as attribution_consumer
from services.contacts.handlers.orders import handler as orders_consumer
from services.points.logic import ledger
from shared import daily, ids
from shared.consumer import AlreadyProcessed
from shared.dynamo import Transaction
from shared.events.campaigns import CampaignConversionRecorded
from shared.settings import get_settings
from tests.unit.conftest import Client, eventually

SHANGHAI = "Asia/Shanghai"
ROUTES = {
    "contacts": "/v1/contacts/daily-stats",
    "campaigns": "/v1/campaigns/daily-stats",
    "points": "/v1/points/daily-stats",
}
FIELDS = {
    "contacts": {"new_contacts"},
    "campaigns": {"scans", "acquired", "engaged", "conversions"},
    "points": {
        "points_issued",
        "points_redeemed",
        "redemptions",
        "redemptions_cancelled",
        "points_restored",
        "points_expired",
    },
}
CONSUMER_WINDOW = 1.0  # ample for the contacts and campaigns consumers to act on a scan
SCHEDULE = {"starts_at": "2026-01-01T00:00:00Z", "ends_at": "2036-01-01T00:00:00Z"}


def today(zone: str) -> str:
    return datetime.now(ZoneInfo(zone)).date().isoformat()


def figures(client: Client, token: str, service: str, days: int | None = None) -> dict[str, Any]:
    query = "" if days is None else f"?days={days}"
    answer = client.get(ROUTES[service] + query, token=token)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def total(client: Client, token: str, service: str, field: str) -> int:
    return sum(day[field] for day in figures(client, token, service, days=2)["days"])


def run_together(count: int, work: Callable[[int], None]) -> None:
    barrier = threading.Barrier(count)

    def start(index: int) -> None:
        barrier.wait()
        work(index)

    threads = [threading.Thread(target=start, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def sqs_record(source: str, detail_type: str, tenant: str, data: dict[str, Any], event_id: str) -> dict[str, Any]:
    """One delivery of an event to a consumer, as SQS hands it over."""
    metadata = {
        "event_id": event_id,
        "event_version": 1,
        "tenant_id": tenant,
        "occurred_at": "2026-11-22T00:00:00Z",
        "correlation_id": "test",
    }
    body = {"source": source, "detail-type": detail_type, "detail": {"metadata": metadata, "data": data}}
    return {"messageId": f"m-{uuid.uuid4().hex}", "body": json.dumps(body)}


# ---- the answer's shape, the window, who may read it ------------------------------------------


@pytest.mark.parametrize("service", sorted(ROUTES))
def test_every_day_of_the_window_is_there_oldest_first_with_zeros(client: Client, tenant: str, service: str) -> None:
    manager = client.staff_token(tenant, "m1", ("manager",))
    before = today(SHANGHAI)
    answer = figures(client, manager, service)
    after = today(SHANGHAI)
    assert answer["zone"] == SHANGHAI
    days = answer["days"]
    assert len(days) == 30  # the default window
    dates = [date.fromisoformat(day["date"]) for day in days]
    assert dates == [dates[0] + timedelta(days=n) for n in range(30)]
    assert days[-1]["date"] in {before, after}
    assert all(set(day) == {"date"} | FIELDS[service] for day in days)
    assert all(day[field] == 0 for day in days for field in FIELDS[service])
    assert len(figures(client, manager, service, days=1)["days"]) == 1
    assert len(figures(client, manager, service, days=90)["days"]) == 90


@pytest.mark.parametrize("service", sorted(ROUTES))
def test_bad_windows_are_refused_and_only_managers_and_admins_read_the_figures(
    client: Client, tenant: str, service: str
) -> None:
    admin = client.staff_token(tenant)
    for bad in ("0", "91", "-1", "seven", "1.5"):
        refused = client.get(f"{ROUTES[service]}?days={bad}", token=admin)
        assert refused.status == 422, (bad, refused.body)
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert refused.json["errors"][0]["loc"] == ["query", "days"]
    for role in ("guide", "agent"):
        assert client.get(ROUTES[service], token=client.staff_token(tenant, "s9", (role,))).status == 403
    member = client.member_login(tenant, "dev:o-daily")
    assert client.get(ROUTES[service], token=member["token"]).status == 403
    assert client.get(ROUTES[service]).status == 401


def test_a_fact_counts_on_its_business_day_not_its_utc_day(stack: LocalStack, tenant: str) -> None:
    table = get_settings().table("contacts")
    late_utc = "2026-12-01T16:30:00.000Z"  # already 00:30 on 2 December in Shanghai
    tx = Transaction(table)
    daily.count(tx, tenant, daily.DayCount(daily.business_day(late_utc, SHANGHAI), {"new_contacts": 2}))
    tx.commit()
    dates = daily.window(SHANGHAI, 3, datetime(2026, 12, 2, 5, tzinfo=UTC))
    rows = daily.read(table, tenant, dates, ["new_contacts"])
    assert [(row["date"], row["new_contacts"]) for row in rows] == [
        ("2026-11-30", 0),
        ("2026-12-01", 0),
        ("2026-12-02", 2),
    ]
    in_new_york = daily.window("America/New_York", 1, datetime(2026, 12, 2, 3, tzinfo=UTC))
    assert in_new_york == [date(2026, 12, 1)]


# ---- contacts ------------------------------------------------------------------------------


def test_a_contact_counts_once_whatever_the_replays_duplicates_and_races(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    key = {"Idempotency-Key": "create-once"}
    for _ in range(2):  # a replayed creation
        assert client.post("/v1/contacts", json_body={"name": "Li"}, token=admin, headers=key).status == 201
    for _ in range(2):  # a member's second login finds their contact
        client.member_login(tenant, "dev:o-twice")
    order = {"order_id": "O1", "identity": {"kind": "phone", "value": "+8613900000001"}, "amount_fen": 100}
    delivery = sqs_record("partner.shop", "OrderPaid", tenant, order | {"brand": "acme"}, f"evt-{uuid.uuid4().hex}")
    for _ in range(2):  # the same event delivered twice creates its buyer once
        assert orders_consumer({"Records": [delivery]}, None) == {"batchItemFailures": []}
    statuses: list[int] = []
    run_together(
        6,
        lambda _: statuses.append(
            client.post("/v1/contacts", json_body={"phone": "+8613900000002"}, token=admin).status
        ),
    )
    assert sorted(statuses) == [201] * 6  # the others upsert into the first, counting nothing
    assert len(client.get("/v1/contacts?phone=13900000001", token=admin).json["items"]) == 1

    days = figures(client, admin, "contacts", days=1)["days"]
    assert [day["new_contacts"] for day in days] == [4]
    # Erasing a contact does not take it back out of the day it was created on.
    contact_id = client.get("/v1/contacts?phone=13900000002", token=admin).json["items"][0]["contact_id"]
    assert client.delete(f"/v1/contacts/{contact_id}", token=admin).status == 204
    assert total(client, admin, "contacts", "new_contacts") == 4
    assert total(client, client.staff_token(f"{tenant}-b"), "contacts", "new_contacts") == 0


def test_parallel_creations_each_count(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    statuses: list[int] = []
    run_together(
        12, lambda n: statuses.append(client.post("/v1/contacts", json_body={"name": f"c{n}"}, token=admin).status)
    )
    assert statuses == [201] * 12
    assert total(client, admin, "contacts", "new_contacts") == 12


# ---- campaigns -----------------------------------------------------------------------------


def campaign_with_code(client: Client, admin: str) -> tuple[str, dict[str, Any]]:
    body = {"name": "Spring", **SCHEDULE, "acquisition_points": 100, "engagement_points": 10, "points_budget": 10_000}
    campaign_id = client.post("/v1/campaigns", json_body=body, token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    made = client.post(f"/v1/campaigns/{campaign_id}/codes", json_body={"channel": "poster"}, token=admin)
    assert made.status == 201, made.body
    return campaign_id, dict(made.json)


def test_scans_and_conversions_count_once_whatever_the_redeliveries_and_retries(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    campaign_id, code = campaign_with_code(client, admin)
    first, second = client.member_login(tenant, "dev:o-s1"), client.member_login(tenant, "dev:o-s2")
    scan = client.post("/v1/scans", json_body={"code": code["code"]}, token=first["token"])
    assert scan.status == 202
    assert client.post("/v1/scans", json_body={"code": code["code"]}, token=second["token"]).status == 202
    assert eventually(lambda: total(client, admin, "campaigns", "acquired") == 2)

    # A returning scanner this function has forgotten: the first write fails on the scanner
    # markers, the retry counts the scan; the failed attempt counted nothing.
    campaigns_dal._known_scanners.clear()
    assert client.post("/v1/scans", json_body={"code": code["code"]}, token=first["token"]).status == 202
    # The first member's ScanAttributed delivered again, as if for the first time in this function.
    attributed = {
        "scan_id": scan.json["scan_id"],
        "contact_id": first["contact_id"],
        "campaign_id": campaign_id,
        "code": code["code"],
        "channel": "poster",
        "acquired": True,
        "scanned_at": datetime.now(UTC).isoformat(),
    }
    delivery = sqs_record("siyu.contacts", "ScanAttributed", tenant, attributed, f"evt-{uuid.uuid4().hex}")
    for _ in range(2):
        campaigns_dal._known_conversions.clear()
        assert attribution_consumer({"Records": [delivery]}, None) == {"batchItemFailures": []}

    time.sleep(CONSUMER_WINDOW)  # the third scan's attribution converts nothing: give it the time to try
    stats = client.get(f"/v1/campaigns/{campaign_id}/stats", token=admin).json
    today_row = figures(client, admin, "campaigns", days=1)["days"][0]
    assert (today_row["scans"], today_row["acquired"], today_row["engaged"], today_row["conversions"]) == (3, 2, 0, 2)
    assert (stats["scans"], stats["acquired"]) == (3, 2)  # the campaign's own funnel agrees


def test_parallel_scans_each_count(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    _, code = campaign_with_code(client, admin)
    members = [client.member_login(tenant, f"dev:o-p{n}")["token"] for n in range(10)]
    statuses: list[int] = []
    run_together(
        10,
        lambda n: statuses.append(client.post("/v1/scans", json_body={"code": code["code"]}, token=members[n]).status),
    )
    assert statuses == [202] * 10
    assert total(client, admin, "campaigns", "scans") == 10
    # Ten scans at once travel scan → contacts → campaigns, each hop queued behind the others.
    assert eventually(lambda: total(client, admin, "campaigns", "conversions") == 10, timeout=30)
    assert total(client, admin, "campaigns", "acquired") == 10


# ---- points --------------------------------------------------------------------------------


def test_points_count_once_per_entry_whatever_the_redeliveries_and_replays(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    member = client.member_login(tenant, "dev:o-pts")
    contact = member["contact_id"]
    conversion = CampaignConversionRecorded(
        scan_id=ids.new_id("sc_"),
        contact_id=contact,
        campaign_id="cp_1",
        code="code",
        channel="poster",
        conversion_id=ids.new_id("cv_"),
        kind="acquisition",
        points=100,
        rewarded=True,
    )
    ledger.on_conversion(tenant, conversion)
    with pytest.raises(AlreadyProcessed):  # delivered again: no entry, no count
        ledger.on_conversion(tenant, conversion)
    adjustments = f"/v1/contacts/{contact}/points/adjustments"
    key = {"Idempotency-Key": "bonus-1"}
    for _ in range(2):
        answer = client.post(adjustments, json_body={"points": 50, "reason": "bonus"}, token=admin, headers=key)
        assert answer.status == 201, answer.body
    assert client.post(adjustments, json_body={"points": -20, "reason": "fix"}, token=admin).status == 201
    reward = client.post("/v1/rewards", json_body={"name": "Mug", "cost": 30}, token=admin).json["reward_id"]
    redeemed = [
        client.post("/v1/me/redemptions", json_body={"reward_id": reward}, token=member["token"]).json["redemption_id"]
        for _ in range(2)
    ]
    assert client.post(f"/v1/redemptions/{redeemed[0]}/cancel", token=admin).status == 200
    assert client.post(f"/v1/redemptions/{redeemed[0]}/cancel", token=admin).status == 409
    assert client.post(f"/v1/redemptions/{redeemed[1]}/fulfil", token=admin).status == 200

    row = figures(client, admin, "points", days=1)["days"][0]
    assert row == {
        "date": row["date"],
        "points_issued": 150,  # the conversion and the positive adjustment, once each
        "points_redeemed": 60,
        "redemptions": 2,
        "redemptions_cancelled": 1,
        "points_restored": 30,
        "points_expired": 0,
    }
    assert client.get("/v1/me/points", token=member["token"]).json["balance"] == 150 - 20 - 60 + 30


def test_parallel_credits_to_one_account_each_count(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    member = client.member_login(tenant, "dev:o-busy")
    path = f"/v1/contacts/{member['contact_id']}/points/adjustments"
    statuses: list[int] = []
    # One account: the writes race on its version, the losers retry, and only what commits counts.
    run_together(
        8, lambda n: statuses.append(client.post(path, json_body={"points": n + 1, "reason": "r"}, token=admin).status)
    )
    assert statuses == [201] * 8
    assert total(client, admin, "points", "points_issued") == sum(range(1, 9))


def test_points_days_are_the_policys_time_zone(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    policy = client.get("/v1/points/policy", token=admin).json
    assert (
        client.put("/v1/points/policy", json_body=policy | {"time_zone": "America/New_York"}, token=admin).status == 200
    )
    answer = figures(client, admin, "points", days=3)
    assert answer["zone"] == "America/New_York"
    assert len(answer["days"]) == 3
    before = today("America/New_York")
    answer = figures(client, admin, "points", days=3)
    assert answer["days"][-1]["date"] in {before, today("America/New_York")}
