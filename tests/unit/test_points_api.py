"""The points ledger over its API and events: orders and refunds, caps, lots and expiry, rewards
and redemption, tiers, adjustments, statements and merges — and who may do what."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import timedelta
from typing import Any, Literal

import pytest

from local.stack import LocalStack
from services.points.dal import ledger as dal
from services.points.logic import ledger, sweep
from services.points.models import SweepReport
from services.points.service import ORDERS_CONSUMER
from shared import aws, dynamo, ids
from shared.clock import utc_now
from shared.consumer import AlreadyProcessed
from shared.events.campaigns import CampaignConversionRecorded
from shared.settings import get_settings
from tests.unit.conftest import Client, eventually

POLICY: dict[str, Any] = {
    "expiry": {"rule": "after_days", "days": 30},
    "expiry_warning_days": 7,
    "earning_rules": [
        {"source": "order", "brand": "acme", "points_per_yuan": 1, "caps": {"day": 100}},
        {"source": "order", "points_per_yuan": 0.5},
    ],
    "tiers": [{"name": "member", "min_points": 0}, {"name": "silver", "min_points": 100}],
}


def set_policy(client: Client, tenant: str, **changes: Any) -> None:
    answer = client.put("/v1/points/policy", json_body=POLICY | changes, token=client.staff_token(tenant))
    assert answer.status == 200, answer.body


def publish(tenant: str, detail_type: str, data: dict[str, Any], source: str = "partner.shop") -> None:
    """An event on the bus, as a partner (or another service) sends it."""
    detail = {
        "metadata": {
            "event_id": f"evt-{uuid.uuid4().hex}",
            "event_version": 1,
            "tenant_id": tenant,
            "occurred_at": "2026-11-22T00:00:00Z",
            "correlation_id": "test",
        },
        "data": data,
    }
    sent = aws.client("events").put_events(
        Entries=[
            {
                "EventBusName": get_settings().event_bus_name,
                "Source": source,
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
            }
        ]
    )
    assert sent["FailedEntryCount"] == 0


def member_with_points(client: Client, tenant: str, code: str, points: int) -> dict[str, Any]:
    member = client.member_login(tenant, code)
    admin = client.staff_token(tenant)
    path = f"/v1/contacts/{member['contact_id']}/points/adjustments"
    # No waiting for contacts' ContactCreated event: a contact created moments ago can be adjusted at once.
    answer = client.post(path, json_body={"points": points, "reason": "welcome"}, token=admin)
    assert answer.status == 201, answer.body
    assert answer.json["balance"] == points
    return member


def balance(client: Client, member: dict[str, Any]) -> int:
    return int(client.get("/v1/me/points", token=member["token"]).json["balance"])


def reward(client: Client, tenant: str, **fields: Any) -> str:
    body = {"name": "Mug", "cost": 30} | fields
    answer = client.post("/v1/rewards", json_body=body, token=client.staff_token(tenant))
    assert answer.status == 201, answer.body
    return str(answer.json["reward_id"])


# ---- orders, refunds, caps -----------------------------------------------------------------


def test_orders_earn_by_brand_rate_within_caps_and_refunds_take_back_proportionally(
    client: Client, tenant: str
) -> None:
    set_policy(client, tenant)
    member = client.member_login(tenant, "dev:o-orders")
    contact = member["contact_id"]
    publish(tenant, "OrderPaid", {"order_id": "A1", "contact_id": contact, "amount_fen": 8_050, "brand": "acme"})
    assert eventually(lambda: balance(client, member) == 80)
    # Same order id again (a retried delivery): nothing more.
    publish(tenant, "OrderPaid", {"order_id": "A1", "contact_id": contact, "amount_fen": 8_050, "brand": "acme"})
    # The acme day cap is 100: the next 60 points give 20, and 40 are recorded as capped.
    publish(tenant, "OrderPaid", {"order_id": "A2", "contact_id": contact, "amount_fen": 6_000, "brand": "acme"})
    # Another brand: the every-brand rule, half a point per yuan, no cap.
    publish(tenant, "OrderPaid", {"order_id": "B1", "contact_id": contact, "amount_fen": 10_000, "brand": "other"})
    assert eventually(lambda: balance(client, member) == 150)
    credits = client.get("/v1/me/points/entries?type=credit", token=member["token"]).json["items"]
    assert sorted((e["points"], e["capped"]) for e in credits) == [(20, 40), (50, 0), (80, 0)]

    # Refund half of A1 → 40 back; then more than is left (refunded only up to the rest) → 40 more.
    publish(tenant, "OrderRefunded", {"order_id": "A1", "refund_id": "R1", "amount_fen": 4_025})
    assert eventually(lambda: balance(client, member) == 110)
    publish(tenant, "OrderRefunded", {"order_id": "A1", "refund_id": "R1", "amount_fen": 4_025})  # duplicate
    publish(tenant, "OrderRefunded", {"order_id": "A1", "refund_id": "R2", "amount_fen": 999_999})
    assert eventually(lambda: balance(client, member) == 70)
    publish(tenant, "OrderRefunded", {"order_id": "A1", "refund_id": "R3", "amount_fen": 100})  # nothing left
    reversals = eventually(
        lambda: (
            len(items := client.get("/v1/me/points/entries?type=reversal", token=member["token"]).json["items"]) == 3
            and items
        )
    )
    assert sorted(e["points"] for e in reversals) == [-40, -40, 0]
    assert balance(client, member) == 70
    assert client.get("/v1/me/points", token=member["token"]).json["lifetime_earned"] == 70


def test_a_refund_before_its_order_waits_and_a_malformed_order_is_dead_lettered(
    client: Client, stack: LocalStack, tenant: str
) -> None:
    set_policy(client, tenant)
    member = client.member_login(tenant, "dev:o-early")
    publish(tenant, "OrderRefunded", {"order_id": "E1", "refund_id": "R1", "amount_fen": 5_000})
    publish(
        tenant,
        "OrderPaid",
        {"order_id": "E1", "contact_id": member["contact_id"], "amount_fen": 10_000, "brand": "acme"},
    )
    assert eventually(lambda: balance(client, member) == 100)
    publish(tenant, "OrderPaid", {"order_id": "E2", "amount_fen": 10_000, "brand": "acme"})  # names no buyer
    dlq = get_settings().dead_letter_queue(ORDERS_CONSUMER.name)

    def dead_lettered() -> list[Any]:
        found = aws.client("sqs").receive_message(QueueUrl=dlq, MessageAttributeNames=["All"], WaitTimeSeconds=0)
        return [m for m in found.get("Messages", []) if "E2" in m["Body"]]

    message = eventually(dead_lettered)[0]
    assert "contact_id or identity" in message["MessageAttributes"]["reason"]["StringValue"]
    # The early refund is applied once the order is known (its message is redelivered).
    assert eventually(lambda: balance(client, member) == 50, timeout=90)


def test_an_order_naming_only_a_phone_is_credited_to_that_contact_or_a_new_one(client: Client, tenant: str) -> None:
    set_policy(client, tenant)
    admin = client.staff_token(tenant)
    created = client.post("/v1/contacts", json_body={"name": "Li", "phone": "13900000001"}, token=admin)
    assert created.status == 201
    known = created.json["contact_id"]
    identity = {"kind": "phone", "value": "+86 139 0000 0001"}
    publish(tenant, "OrderPaid", {"order_id": "P1", "identity": identity, "amount_fen": 5_000, "brand": "acme"})
    publish(tenant, "OrderPaid", {"order_id": "P1", "identity": identity, "amount_fen": 5_000, "brand": "acme"})
    path = f"/v1/contacts/{known}/points"
    assert eventually(lambda: client.get(path, token=admin).json.get("balance") == 50)
    publish(tenant, "OrderRefunded", {"order_id": "P1", "refund_id": "R1", "amount_fen": 5_000})
    assert eventually(lambda: client.get(path, token=admin).json["balance"] == 0)

    stranger = {"kind": "email", "value": "New.Buyer@Example.com"}
    publish(tenant, "OrderPaid", {"order_id": "P2", "identity": stranger, "amount_fen": 2_000, "brand": "acme"})

    def new_contact() -> Any:
        found = client.get("/v1/contacts?limit=200", token=admin).json["items"]
        return next((c for c in found if c["identities"]["email"] == "new.buyer@example.com"), None)

    contact = eventually(new_contact)
    assert eventually(
        lambda: client.get(f"/v1/contacts/{contact['contact_id']}/points", token=admin).json.get("balance") == 20
    )
    assert client.get(path, token=admin).json["balance"] == 0  # the duplicate order added nothing


def test_concurrent_orders_never_exceed_the_day_cap(client: Client, tenant: str) -> None:
    set_policy(client, tenant)
    member = client.member_login(tenant, "dev:o-cap")
    for index in range(6):
        publish(
            tenant,
            "OrderPaid",
            {"order_id": f"C{index}", "contact_id": member["contact_id"], "amount_fen": 3_000, "brand": "acme"},
        )
    entries = eventually(
        lambda: len(items := client.get("/v1/me/points/entries", token=member["token"]).json["items"]) == 6 and items
    )
    assert sum(e["points"] for e in entries) == 100 == balance(client, member)
    assert sum(e["capped"] for e in entries) == 80


# ---- lots and expiry -----------------------------------------------------------------------


def test_expiry_takes_only_what_is_left_of_a_lot_once_and_warns_before(client: Client, tenant: str) -> None:
    set_policy(client, tenant)
    member = member_with_points(client, tenant, "dev:o-expiry", 100)
    admin = client.staff_token(tenant)
    contact = member["contact_id"]
    spend = client.post(
        f"/v1/contacts/{contact}/points/adjustments", json_body={"points": -50, "reason": "x"}, token=admin
    )
    assert spend.status == 201
    expiring = client.get("/v1/me/points", token=member["token"]).json["expiring"]
    assert [e["points"] for e in expiring] == [50]

    warned = SweepReport()
    sweep.sweep_account(tenant, contact, utc_now() + timedelta(days=25), warned)
    assert (warned.warnings, warned.points_expired) == (1, 0)
    again = SweepReport()
    sweep.sweep_account(tenant, contact, utc_now() + timedelta(days=25), again)
    assert again.warnings == 0  # warned once

    report = SweepReport()
    sweep.sweep_account(tenant, contact, utc_now() + timedelta(days=31), report)
    assert (report.lots_expired, report.points_expired) == (1, 50)
    sweep.sweep_account(tenant, contact, utc_now() + timedelta(days=31), report)
    assert (report.lots_expired, report.points_expired) == (1, 50)  # the second run changes nothing
    assert balance(client, member) == 0
    expired = client.get("/v1/me/points/entries?type=expiry", token=member["token"]).json["items"]
    assert [e["points"] for e in expired] == [-50]


def test_the_sweep_finds_due_accounts_through_its_index(client: Client, tenant: str) -> None:
    set_policy(client, tenant)
    member = member_with_points(client, tenant, "dev:o-due", 40)
    assert sweep.sweep(tenant, utc_now() + timedelta(days=1)).accounts == 0  # nothing due yet
    report = sweep.sweep(tenant, utc_now() + timedelta(days=40))
    assert (report.accounts, report.points_expired) == (1, 40)
    assert balance(client, member) == 0
    assert sweep.sweep(tenant, utc_now() + timedelta(days=40)).accounts == 0
    admin = client.staff_token(tenant)
    assert client.post("/v1/points/sweeps", token=admin).status == 200
    assert client.post("/v1/points/sweeps", token=client.staff_token(tenant, "m", ("manager",))).status == 403


# ---- rewards and redemption ----------------------------------------------------------------


def test_redemption_takes_points_stock_and_limit_together_and_cancel_gives_them_back(
    client: Client, tenant: str
) -> None:
    member = member_with_points(client, tenant, "dev:o-redeem", 100)
    admin = client.staff_token(tenant)
    reward_id = reward(client, tenant, stock=2, per_member_limit=1)
    headers = {"Idempotency-Key": "redeem-1"}
    first = client.post(
        "/v1/me/redemptions", json_body={"reward_id": reward_id}, token=member["token"], headers=headers
    )
    assert first.status == 201
    assert first.json["balance"] == 70
    replay = client.post(
        "/v1/me/redemptions", json_body={"reward_id": reward_id}, token=member["token"], headers=headers
    )
    assert replay.status == 201
    assert replay.json == first.json
    second = client.post("/v1/me/redemptions", json_body={"reward_id": reward_id}, token=member["token"])
    assert second.status == 409
    assert second.json["reason"] == "limit_reached"
    assert balance(client, member) == 70
    listed = client.get("/v1/rewards", token=admin).json["items"]
    assert [(r["stock"], r["redeemed"]) for r in listed] == [(1, 1)]

    redemption_id = first.json["redemption_id"]
    cancelled = client.post(f"/v1/redemptions/{redemption_id}/cancel", token=admin)
    assert cancelled.status == 200
    assert cancelled.json["status"] == "cancelled"
    assert client.post(f"/v1/redemptions/{redemption_id}/cancel", token=admin).status == 409
    assert client.post(f"/v1/redemptions/{redemption_id}/fulfil", token=admin).status == 409
    assert balance(client, member) == 100
    restore = client.get("/v1/me/points/entries?type=restore", token=member["token"]).json["items"][0]
    debit = client.get("/v1/me/points/entries?type=debit", token=member["token"]).json["items"][0]
    assert [d["lot_id"] for d in restore["lots"]] == [d["lot_id"] for d in debit["lots"]]  # back to its own lot
    assert [(r["stock"], r["redeemed"]) for r in client.get("/v1/rewards", token=admin).json["items"]] == [(2, 0)]

    again = client.post("/v1/me/redemptions", json_body={"reward_id": reward_id}, token=member["token"])
    assert again.status == 201  # the limit was given back too
    fulfilled = client.post(f"/v1/redemptions/{again.json['redemption_id']}/fulfil", token=admin)
    assert fulfilled.status == 200
    assert fulfilled.json["status"] == "fulfilled"
    mine = client.get("/v1/me/redemptions", token=member["token"]).json["items"]
    assert [r["status"] for r in mine] == ["fulfilled", "cancelled"]


def test_ten_simultaneous_redemptions_with_a_balance_for_three(client: Client, tenant: str) -> None:
    member = member_with_points(client, tenant, "dev:o-race", 100)
    reward_id = reward(client, tenant)
    answers: list[int] = []

    def redeem() -> None:
        answer = client.post("/v1/me/redemptions", json_body={"reward_id": reward_id}, token=member["token"])
        answers.append(answer.status)

    threads = [threading.Thread(target=redeem) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201] * 3 + [409] * 7
    assert balance(client, member) == 10


def test_rewards_are_offered_to_members_only_while_valid_and_active(client: Client, tenant: str) -> None:
    member = client.member_login(tenant, "dev:o-catalog")
    admin = client.staff_token(tenant)
    live = reward(client, tenant, name="Live")
    reward(client, tenant, name="Later", valid_from=(utc_now() + timedelta(days=3)).isoformat())
    off = reward(client, tenant, name="Off")
    assert client.patch(f"/v1/rewards/{off}", json_body={"active": False}, token=admin).json["active"] is False
    assert [r["name"] for r in client.get("/v1/rewards", token=member["token"]).json["items"]] == ["Live"]
    assert len(client.get("/v1/rewards", token=admin).json["items"]) == 3
    assert client.post("/v1/me/redemptions", json_body={"reward_id": off}, token=member["token"]).status == 409
    changed = client.patch(f"/v1/rewards/{live}", json_body={"stock": 0, "cost": 5}, token=admin).json
    assert (changed["stock"], changed["cost"]) == (0, 5)
    unlimited = client.patch(f"/v1/rewards/{live}", json_body={"stock": None}, token=admin).json
    assert unlimited["stock"] is None


# ---- tiers, statements, merges -------------------------------------------------------------


def test_tiers_rise_at_once_and_fall_only_in_the_sweep(client: Client, tenant: str) -> None:
    set_policy(client, tenant)
    member = client.member_login(tenant, "dev:o-tier")
    contact = member["contact_id"]
    publish(tenant, "OrderPaid", {"order_id": "T1", "contact_id": contact, "amount_fen": 10_000, "brand": "acme"})
    assert eventually(lambda: client.get("/v1/me/points", token=member["token"]).json["tier"] == "silver")
    publish(tenant, "OrderRefunded", {"order_id": "T1", "refund_id": "R1", "amount_fen": 10_000})
    assert eventually(lambda: balance(client, member) == 0)
    assert client.get("/v1/me/points", token=member["token"]).json["tier"] == "silver"  # not until the sweep
    sweep.sweep(tenant)
    assert client.get("/v1/me/points", token=member["token"]).json["tier"] == "member"


def test_a_monthly_statement_adds_up(client: Client, tenant: str) -> None:
    member = member_with_points(client, tenant, "dev:o-statement", 100)
    admin = client.staff_token(tenant)
    path = f"/v1/contacts/{member['contact_id']}/points/adjustments"
    assert client.post(path, json_body={"points": -30, "reason": "x"}, token=admin).status == 201
    month = utc_now().astimezone(dal.get_policy(tenant).zone()).strftime("%Y-%m")
    statement = client.get(f"/v1/me/points/statement?month={month}", token=member["token"]).json
    assert statement == {
        "month": month,
        "opening": 0,
        "earned": 100,
        "spent": 30,
        "expired": 0,
        "merged": 0,
        "closing": 70,
    }
    assert client.get("/v1/me/points/statement?month=2020-01", token=member["token"]).json["closing"] == 0
    assert client.get("/v1/me/points/statement?month=2026-13", token=member["token"]).status == 422


def test_a_merge_moves_the_absorbed_account_once(client: Client, tenant: str) -> None:
    survivor = member_with_points(client, tenant, "dev:o-survivor", 10)
    absorbed = member_with_points(client, tenant, "dev:o-absorbed", 25)
    merged = {"contact_id": survivor["contact_id"], "version": 9, "merged_contact_id": absorbed["contact_id"]}
    publish(tenant, "ContactsMerged", merged, source="siyu.contacts")
    assert eventually(lambda: balance(client, survivor) == 35)
    publish(tenant, "ContactsMerged", merged, source="siyu.contacts")  # a second delivery
    admin = client.staff_token(tenant)
    view = client.get(f"/v1/contacts/{absorbed['contact_id']}/points", token=admin).json
    assert (view["balance"], view["merged_into"]) == (0, survivor["contact_id"])
    assert client.get("/v1/me/points", token=survivor["token"]).json["lifetime_earned"] == 35
    # Later credits for the absorbed contact land on the survivor.
    path = f"/v1/contacts/{absorbed['contact_id']}/points/adjustments"
    assert client.post(path, json_body={"points": 5, "reason": "late"}, token=admin).status == 201
    assert balance(client, survivor) == 40


# ---- campaign conversions -----------------------------------------------------------------


def conversion(contact_id: str, kind: Literal["acquisition", "engagement"], points: int) -> CampaignConversionRecorded:
    return CampaignConversionRecorded(
        scan_id=ids.new_id("sc_"),
        contact_id=contact_id,
        campaign_id="cp_1",
        code="code",
        channel="poster",
        conversion_id=ids.new_id("cv_"),
        kind=kind,
        points=points,
        rewarded=True,
    )


def test_a_new_members_scan_points_cost_one_write_and_are_credited_once(client: Client, tenant: str) -> None:
    member = client.member_login(tenant, "dev:o-scan")
    contact = member["contact_id"]
    dal.get_policy(tenant)  # a function reads the policy once per half minute, not per event
    requests: list[str] = []
    caller = threading.get_ident()

    def count(model: Any, **_: Any) -> None:
        if threading.get_ident() == caller:
            requests.append(model.name)

    events = aws.client("dynamodb").meta.events
    events.register("before-call.dynamodb", count)
    try:
        acquired = conversion(contact, "acquisition", 100)
        ledger.on_conversion(tenant, acquired)
        assert requests == ["TransactWriteItems"]  # no read: the write is conditional on no account yet
        with pytest.raises(AlreadyProcessed):  # a redelivered conversion changes nothing
            ledger.on_conversion(tenant, acquired)
    finally:
        events.unregister("before-call.dynamodb", count)
    assert balance(client, member) == 100

    # A member who already had points when a scan acquired them: the guess fails and the credit is
    # computed again over the real account.
    other = client.member_login(tenant, "dev:o-scan-2")
    assert client.post("/v1/me/checkins", token=other["token"]).status == 201
    ledger.on_conversion(tenant, conversion(other["contact_id"], "acquisition", 100))
    ledger.on_conversion(tenant, conversion(other["contact_id"], "engagement", 10))
    assert balance(client, other) == 115
    entries = client.get("/v1/me/points/entries", token=other["token"]).json["items"]
    assert sum(e["points"] for e in entries) == 115


# ---- contacts not yet announced to points -------------------------------------------------


def test_a_staff_adjustment_before_contact_created_is_consumed_opens_the_account(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    # Contacts has just created this contact; its ContactCreated has not reached points yet.
    fresh = ids.new_id("ct_")
    path = f"/v1/contacts/{fresh}/points/adjustments"
    first = client.post(path, json_body={"points": 20, "reason": "welcome"}, token=admin)
    assert first.status == 201, first.body
    assert first.json["balance"] == 20
    assert client.get(f"/v1/contacts/{fresh}/points", token=admin).json["balance"] == 20

    created = {"contact_id": fresh, "version": 1, "identity_kinds": [], "tags": [], "owners": {}}
    publish(tenant, "ContactCreated", created, source="siyu.contacts")
    marker = {"pk": dal.account_pk(tenant, fresh), "sk": "CONTACT"}
    eventually(lambda: dynamo.get_item(dal.table(), marker))
    # The late announcement leaves the account the staff write opened as it was.
    view = client.get(f"/v1/contacts/{fresh}/points", token=admin).json
    assert (view["balance"], view["lifetime_earned"]) == (20, 20)
    assert len(client.get(f"/v1/contacts/{fresh}/points/entries", token=admin).json["items"]) == 1

    # Through the API, as a console does it: create, then award at once.
    contact = client.post("/v1/contacts", json_body={"name": "Wang"}, token=admin).json["contact_id"]
    welcome = client.post(
        f"/v1/contacts/{contact}/points/adjustments", json_body={"points": 5, "reason": "welcome"}, token=admin
    )
    assert welcome.status == 201, welcome.body

    # Ids no contact can have just been given (an old one never announced, a mistyped one) stay 404.
    old = "ct_" + ids.time_prefix(time.time() - 86_400) + fresh[-16:]
    for unknown in (old, "ct_NOPE", fresh.lower()):
        answer = client.post(
            f"/v1/contacts/{unknown}/points/adjustments", json_body={"points": 5, "reason": "x"}, token=admin
        )
        assert answer.status == 404, unknown


# ---- who may do what -----------------------------------------------------------------------


def test_every_points_route_refuses_other_tenants_members_and_roles(client: Client, tenant: str) -> None:
    member = member_with_points(client, tenant, "dev:o-guard", 100)
    other_member = client.member_login(tenant, "dev:o-guard-2")
    admin = client.staff_token(tenant)
    agent = client.staff_token(tenant, "a1", ("agent",))
    guide = client.staff_token(tenant, "g1", ("guide",))
    foreign = client.staff_token(f"{tenant}-b")
    contact = member["contact_id"]
    reward_id = reward(client, tenant)
    redemption = client.post("/v1/me/redemptions", json_body={"reward_id": reward_id}, token=member["token"]).json
    rid = redemption["redemption_id"]

    # Other tenants: 404, never the record.
    assert client.get(f"/v1/contacts/{contact}/points", token=foreign).status == 404
    assert client.get(f"/v1/contacts/{contact}/points/entries", token=foreign).status == 404
    body = {"points": 5, "reason": "x"}
    # A brand-new contact id may still be on its way to points, so a write for it opens an account,
    # but only in the writer's own tenant: the other tenant's account never moves.
    owners_balance = balance(client, member)
    foreign_write = client.post(f"/v1/contacts/{contact}/points/adjustments", json_body=body, token=foreign)
    assert (foreign_write.status, foreign_write.json["balance"]) == (201, 5)
    assert balance(client, member) == owners_balance
    assert client.patch(f"/v1/rewards/{reward_id}", json_body={"cost": 1}, token=foreign).status == 404
    assert client.post(f"/v1/redemptions/{rid}/fulfil", token=foreign).status == 404
    assert client.post(f"/v1/redemptions/{rid}/cancel", token=foreign).status == 404
    assert client.get("/v1/rewards", token=foreign).json["items"] == []
    outsider = client.member_login(f"{tenant}-b", "dev:o-outsider")
    assert client.post("/v1/me/redemptions", json_body={"reward_id": reward_id}, token=outsider["token"]).status == 404
    # Other members see only their own.
    assert client.get("/v1/me/redemptions", token=other_member["token"]).json["items"] == []
    assert client.get("/v1/me/points/entries", token=other_member["token"]).json["items"] == []
    # Roles.
    assert client.post(f"/v1/contacts/{contact}/points/adjustments", json_body=body, token=agent).status == 403
    assert client.get(f"/v1/contacts/{contact}/points/entries", token=guide).status == 403
    assert client.post("/v1/rewards", json_body={"name": "x", "cost": 1}, token=agent).status == 403
    assert client.patch(f"/v1/rewards/{reward_id}", json_body={"cost": 1}, token=guide).status == 403
    assert client.post("/v1/points/sweeps", token=agent).status == 403
    assert client.post(f"/v1/redemptions/{rid}/fulfil", token=guide).status == 403
    assert client.post(f"/v1/redemptions/{rid}/fulfil", token=member["token"]).status == 403
    assert client.post("/v1/me/redemptions", json_body={"reward_id": reward_id}, token=admin).status == 403
    assert client.get("/v1/me/points/statement?month=2026-01", token=admin).status == 403
    assert client.get("/v1/rewards").status == 401
    # Bad input: 422, nothing written.
    before = client.get(f"/v1/contacts/{contact}/points/entries", token=admin).json["items"]
    bad_adjustments: list[dict[str, Any]] = [{"points": 0, "reason": "x"}, {"points": 5}, {"points": 5, "reason": ""}]
    for bad in bad_adjustments:
        answer = client.post(f"/v1/contacts/{contact}/points/adjustments", json_body=bad, token=admin)
        assert answer.status == 422, bad
    too_much = client.post(
        f"/v1/contacts/{contact}/points/adjustments", json_body={"points": -1000, "reason": "x"}, token=admin
    )
    assert too_much.status == 409  # never below zero
    bad_rewards: list[dict[str, Any]] = [
        {"name": "x", "cost": 0},
        {"name": "x", "cost": 1, "stock": -1},
        {"name": "", "cost": 1},
        {"name": "x", "cost": 1, "valid_from": "2026-02-01T00:00:00Z", "valid_until": "2026-01-01T00:00:00Z"},
    ]
    for bad in bad_rewards:
        assert client.post("/v1/rewards", json_body=bad, token=admin).status == 422, bad
    assert client.patch(f"/v1/rewards/{reward_id}", json_body={"cost": None}, token=admin).status == 422
    assert client.post("/v1/me/redemptions", json_body={}, token=member["token"]).status == 422
    assert client.post("/v1/me/redemptions", json_body={"reward_id": "nope"}, token=member["token"]).status == 404
    assert client.get(f"/v1/contacts/{contact}/points/entries?type=gift", token=admin).status == 422
    assert client.get(f"/v1/contacts/{contact}/points/entries", token=admin).json["items"] == before
    assert len(client.get("/v1/rewards", token=admin).json["items"]) == 1
