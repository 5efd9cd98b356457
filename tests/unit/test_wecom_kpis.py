"""Staff KPIs (``wecom-kpis``): counters per staff member and day, kept by events, equal to a hand
count. One scenario is scripted through the fake WeCom and the whole stack; the rules that the
real producers make slow to reach (events out of order, repeated under new ids, in the past, on a
day boundary of the tenant's zone) are driven by events handed straight to the consumer."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

import pytest

from services.wecom.handlers.kpis import handler
from services.wecom.logic.kpis import business_day, period_bounds
from shared.clock import rfc3339, utc_now
from tests.unit.conftest import Client, eventually
from tests.unit.test_campaigns_api import campaign, code
from tests.unit.test_cases_api import file_case, setup_desk
from tests.unit.test_contacts_timeline import publish_at
from tests.unit.test_wecom_callbacks import corp_of
from tests.unit.test_wecom_flow import FAKE, customer, listed, ready, relationship

CONSUMER_SOURCES = {
    "WeComContactAdded": "siyu.wecom",
    "WeComContactRemoved": "siyu.wecom",
    "WeComStaffChanged": "siyu.wecom",
    "QrCodeScanned": "siyu.campaigns",
    "CaseAssignmentChanged": "siyu.cases",
    "CaseStatusChanged": "siyu.cases",
    "CaseMessageAdded": "siyu.cases",
    "CaseRated": "siyu.cases",
    "ContactCreated": "siyu.contacts",
    "ContactOwnerChanged": "siyu.contacts",
    "OrderBuyerIdentified": "siyu.contacts",
    "OrderPaid": "partner.tmall",
    "StaffTaskChanged": "siyu.outreach",
}


def deliver(tenant: str, detail_type: str, data: dict[str, Any], at: str, event_id: str | None = None) -> None:
    """One event to the consumer, as its queue hands it over; it must be applied."""
    body = {
        "id": uuid.uuid4().hex,
        "source": CONSUMER_SOURCES[detail_type],
        "detail-type": detail_type,
        "detail": {
            "metadata": {
                "event_id": event_id or f"evt-{uuid.uuid4().hex}",
                "event_version": 1,
                "tenant_id": tenant,
                "occurred_at": at,
                "correlation_id": "kpi-test",
            },
            "data": data,
        },
    }
    answer = handler({"Records": [{"messageId": uuid.uuid4().hex, "body": json.dumps(body)}]}, None)
    assert answer == {"batchItemFailures": []}


def friend(staff: str, customer: str, at: str, generation: int = 1, **more: Any) -> dict[str, Any]:
    return {
        "corp_id": "ww-k",
        "staff_id": staff,
        "external_userid": customer,
        "generation": generation,
        "added_at": at,
        **more,
    }


def unfriend(staff: str, customer: str, at: str, by: str) -> dict[str, Any]:
    return {
        "corp_id": "ww-k",
        "staff_id": staff,
        "external_userid": customer,
        "generation": 1,
        "removed_by": by,
        "removed_at": at,
    }


def scan(staff: str | None, at: str) -> dict[str, Any]:
    return {
        "scan_id": f"sc_{uuid.uuid4().hex[:8]}",
        "contact_id": "ct-x",
        "campaign_id": "cp-1",
        "code": "code1",
        "channel": "poster",
        "staff_id": staff,
        "scanned_at": at,
    }


def case(case_id: str, **more: Any) -> dict[str, Any]:
    return {"case_id": case_id, "contact_id": None, **more}


def assigned(case_id: str, staff: str | None) -> dict[str, Any]:
    return case(case_id, queue_id="q", assignee=staff, previous_assignee=None, actor="system")


def message(case_id: str, kind: str = "outbound", author: str = "staff") -> dict[str, Any]:
    return case(case_id, message_id=f"m-{uuid.uuid4().hex[:6]}", kind=kind, author_kind=author)


def status(case_id: str, to: str) -> dict[str, Any]:
    return case(case_id, from_status="in_progress", to_status=to, actor_kind="staff", actor_id="x", reason=None)


def rated(case_id: str, rating: int) -> dict[str, Any]:
    return case(case_id, rating=rating, resolution=1, reopened=False)


def staff_changed(staff: str, departments: list[int], name: str) -> dict[str, Any]:
    return {
        "corp_id": "ww-k",
        "staff_id": staff,
        "name": name,
        "status": "active",
        "department_ids": departments,
        "managers": [],
        "roles": ["guide"],
    }


def kpis(client: Client, token: str, query: str) -> dict[str, Any]:
    answer = client.get(f"/v1/wecom/kpis?{query}", token=token)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def rows(client: Client, token: str, query: str, key: str = "staff_id") -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in kpis(client, token, query)["rows"]}


def script_march(tenant: str) -> None:
    """The week of Monday 2026-03-02 (Asia/Shanghai = UTC+8), and one add in April."""
    deliver(tenant, "WeComStaffChanged", staff_changed("g1", [2, 3], "导购一"), "2026-03-01T00:00:00Z")
    deliver(tenant, "WeComStaffChanged", staff_changed("g1", [9], "旧名"), "2026-02-01T00:00:00Z")  # stale
    deliver(tenant, "WeComStaffChanged", staff_changed("g2", [2], "导购二"), "2026-03-01T00:00:00Z")
    # Friendships. c1 through a channel code (and published twice under two ids); c3 at 01:30 on
    # the 3rd in Shanghai; c5 a half add; c6's staff removal overtakes its add; c7 was friended
    # before the KPIs (its removal counts, no gauge moves); c8 in April.
    added_c1 = friend("g1", "c1", "2026-03-02T02:00:00Z", state="code1")
    deliver(tenant, "WeComContactAdded", added_c1, "2026-03-02T02:00:00Z")
    deliver(tenant, "WeComContactAdded", added_c1, "2026-03-02T02:00:01Z")
    deliver(tenant, "WeComContactAdded", friend("g1", "c2", "2026-03-02T03:00:00Z"), "2026-03-02T03:00:00Z")
    deliver(tenant, "WeComContactAdded", friend("g1", "c3", "2026-03-02T17:30:00Z"), "2026-03-02T17:30:00Z")
    deliver(
        tenant, "WeComContactRemoved", unfriend("g1", "c2", "2026-03-03T04:00:00Z", "customer"), "2026-03-03T04:00:00Z"
    )
    deliver(
        tenant, "WeComContactRemoved", unfriend("g1", "c7", "2026-03-03T05:00:00Z", "customer"), "2026-03-03T05:00:00Z"
    )
    deliver(tenant, "WeComContactAdded", friend("g2", "c4", "2026-03-02T02:00:00Z"), "2026-03-02T02:00:00Z")
    deliver(tenant, "WeComContactAdded", friend("g2", "c5", "2026-03-02T02:00:00Z", half=True), "2026-03-02T02:00:00Z")
    deliver(
        tenant, "WeComContactRemoved", unfriend("g2", "c6", "2026-03-04T02:00:00Z", "staff"), "2026-03-04T02:00:00Z"
    )
    deliver(tenant, "WeComContactAdded", friend("g2", "c6", "2026-03-02T04:00:00Z"), "2026-03-02T04:00:00Z")
    deliver(tenant, "WeComContactAdded", friend("g2", "c8", "2026-04-10T02:00:00Z"), "2026-04-10T02:00:00Z")
    # Scans: three of g1's code, one of a code naming nobody.
    for minute in range(3):
        deliver(tenant, "QrCodeScanned", scan("g1", f"2026-03-02T01:0{minute}:00Z"), "2026-03-02T01:00:00Z")
    deliver(tenant, "QrCodeScanned", scan(None, "2026-03-02T01:00:00Z"), "2026-03-02T01:00:00Z")
    # k1: g1, replied after 12.5 minutes, resolved, rated 4 (the rating published twice).
    deliver(tenant, "CaseAssignmentChanged", assigned("k1", "g1"), "2026-03-02T02:00:00Z")
    deliver(tenant, "CaseMessageAdded", message("k1", "inbound", "member"), "2026-03-02T02:05:00Z")
    deliver(tenant, "CaseMessageAdded", message("k1", "note"), "2026-03-02T02:06:00Z")
    deliver(tenant, "CaseMessageAdded", message("k1"), "2026-03-02T02:12:30Z")
    deliver(tenant, "CaseMessageAdded", message("k1"), "2026-03-02T02:20:00Z")
    deliver(tenant, "CaseStatusChanged", status("k1", "resolved"), "2026-03-02T03:00:00Z")
    deliver(tenant, "CaseRated", rated("k1", 4), "2026-03-02T04:00:00Z")
    deliver(tenant, "CaseRated", rated("k1", 4), "2026-03-02T04:00:00Z")
    # k2: its reply (90 minutes after the assignment) and resolution arrive before the assignment.
    deliver(tenant, "CaseMessageAdded", message("k2"), "2026-03-02T02:30:00Z")
    deliver(tenant, "CaseStatusChanged", status("k2", "resolved"), "2026-03-03T01:00:00Z")
    deliver(tenant, "CaseAssignmentChanged", assigned("k2", "g2"), "2026-03-02T01:00:00Z")
    deliver(tenant, "CaseRated", rated("k2", 2), "2026-03-03T02:00:00Z")
    # k3: g1 replies after 5 minutes, on the 3rd; k4 is resolved while unassigned (nobody's).
    deliver(tenant, "CaseAssignmentChanged", assigned("k3", "g1"), "2026-03-03T01:00:00Z")
    deliver(tenant, "CaseMessageAdded", message("k3"), "2026-03-03T01:05:59Z")
    deliver(tenant, "CaseAssignmentChanged", assigned("k4", None), "2026-03-03T01:00:00Z")
    deliver(tenant, "CaseStatusChanged", status("k4", "resolved"), "2026-03-03T01:30:00Z")
    # Owners and orders: ct2's owner change (v3) arrives before its creation (v1, stale).
    deliver(tenant, "ContactCreated", owned("ct1", "g1", 1), "2026-03-01T00:00:00Z")
    owner_change = {"contact_id": "ct2", "version": 3, "brand": "*", "previous_owner": "g1", "owner": "g2"}
    deliver(tenant, "ContactOwnerChanged", owner_change, "2026-03-01T00:00:00Z")
    deliver(tenant, "ContactCreated", owned("ct2", "g1", 1), "2026-03-01T00:00:00Z")
    brand_owner = {"contact_id": "ct1", "version": 2, "brand": "kids", "previous_owner": None, "owner": "g2"}
    deliver(tenant, "ContactOwnerChanged", brand_owner, "2026-03-01T00:00:00Z")  # a brand's owner: not counted
    identified = {"partner": "partner.tmall", "order_id": "o1", "contact_id": "ct1", "amount_fen": 5000, "brand": "b"}
    deliver(tenant, "OrderBuyerIdentified", identified, "2026-03-02T06:00:00Z")
    paid = {"order_id": "o2", "contact_id": "ct2", "amount_fen": 12000, "brand": "b"}
    deliver(tenant, "OrderPaid", paid, "2026-03-03T06:00:00Z")
    deliver(tenant, "OrderPaid", paid, "2026-03-03T06:00:00Z")  # the partner sent it again
    deliver(tenant, "OrderPaid", paid | {"order_id": "o3", "contact_id": "ct9"}, "2026-03-03T06:00:00Z")  # unowned


def owned(contact_id: str, owner: str, version: int) -> dict[str, Any]:
    return {"contact_id": contact_id, "version": version, "identity_kinds": [], "tags": [], "owners": {"*": owner}}


# Written out by hand from script_march.
WEEK = {
    "g1": {
        "name": "导购一",
        "customers": 2,  # c1, c3 (c2 left; c7's add was never seen)
        "customers_at_start": 0,
        "adds": 3,
        "net_adds": 1,  # 3 adds - 2 deletions
        "deletions_by_customer": 2,
        "deletions_by_staff": 0,
        "churn_rate": 0.6667,  # 2 / (0 + 3)
        "code_scans": 3,
        "code_adds": 1,
        "lead_conversion": 0.3333,
        "cases_resolved": 1,
        "first_responses": 2,
        "first_response_median_minutes": 8.5,  # 12 and 5
        "ratings": 1,
        "csat_average": 4.0,
        "orders": 1,
        "gmv_fen": 5000,
    },
    "g2": {
        "name": "导购二",
        "customers": 1,  # c4 (c6 came and went; c8 is April's)
        "customers_at_start": 0,
        "adds": 2,
        "net_adds": 1,
        "deletions_by_customer": 0,
        "deletions_by_staff": 1,
        "churn_rate": 0.0,
        "code_scans": 0,
        "code_adds": 0,
        "lead_conversion": None,
        "cases_resolved": 1,
        "first_responses": 1,
        "first_response_median_minutes": 105.0,  # 90, in the 90-120 bucket
        "ratings": 1,
        "csat_average": 2.0,
        "orders": 1,
        "gmv_fen": 12000,
    },
}


def test_kpis_of_events_out_of_order_and_repeated_equal_the_hand_count(client: Client, tenant: str) -> None:
    script_march(tenant)
    manager = client.staff_token(tenant, "m1", ("manager",))
    week = kpis(client, manager, "group_by=staff&period=week&date=2026-03-04")
    assert (week["start"], week["end"], week["zone"]) == ("2026-03-02", "2026-03-08", "Asia/Shanghai")
    by_staff = {row["staff_id"]: row for row in week["rows"]}
    assert set(by_staff) == {"g1", "g2"}
    for staff_id, expected in WEEK.items():
        assert {key: by_staff[staff_id][key] for key in expected} == expected, staff_id

    # Day by day: c3 (17:30 UTC on the 2nd) is the 3rd's in Shanghai.
    monday = rows(client, manager, "period=day&date=2026-03-02")
    assert (monday["g1"]["adds"], monday["g1"]["customers_at_start"], monday["g1"]["customers"]) == (2, 0, 2)
    assert (monday["g1"]["first_response_median_minutes"], monday["g1"]["code_adds"]) == (12.0, 1)
    assert (monday["g2"]["customers"], monday["g2"]["adds"]) == (2, 2)  # c4 and c6 until the 4th
    tuesday = rows(client, manager, "period=day&date=2026-03-03")
    assert (tuesday["g1"]["adds"], tuesday["g1"]["deletions_by_customer"]) == (1, 2)
    assert (tuesday["g1"]["customers_at_start"], tuesday["g1"]["customers"]) == (2, 2)
    assert tuesday["g1"]["churn_rate"] == 0.6667  # 2 / (2 + 1)
    assert (tuesday["g2"]["cases_resolved"], tuesday["g2"]["gmv_fen"], tuesday["g2"]["first_responses"]) == (
        1,
        12000,
        0,
    )

    # April adds c8 (the week and the 30th took it off g2's gauge through the monthly totals).
    late_march = rows(client, manager, "period=day&date=2026-03-30")
    assert (late_march["g2"]["customers"], late_march["g1"]["customers_at_start"]) == (1, 2)
    april = rows(client, manager, "period=day&date=2026-04-10")
    assert (april["g2"]["customers_at_start"], april["g2"]["adds"], april["g2"]["customers"]) == (1, 1, 2)

    # Departments: 2 holds g1 and g2, 3 holds g1 only (g1's stale move to 9 was ignored).
    departments = rows(client, manager, "group_by=department&period=week&date=2026-03-02", key="department_id")
    assert set(departments) == {2, 3}
    two = departments[2]
    assert (two["members"], two["customers"], two["adds"], two["net_adds"]) == (2, 3, 5, 2)
    assert (two["deletions_by_customer"], two["deletions_by_staff"], two["churn_rate"]) == (2, 1, 0.4)
    assert (two["cases_resolved"], two["first_response_median_minutes"], two["csat_average"]) == (2, 12.0, 3.0)
    assert (two["orders"], two["gmv_fen"], two["lead_conversion"]) == (2, 17000, 0.3333)
    assert {key: departments[3][key] for key in WEEK["g1"] if key != "name"} == {
        key: value for key, value in WEEK["g1"].items() if key != "name"
    }


def test_a_guide_sees_only_their_own_row_and_bad_queries_are_422(client: Client, tenant: str) -> None:
    deliver(tenant, "WeComContactAdded", friend("g1", "c1", "2026-03-02T02:00:00Z"), "2026-03-02T02:00:00Z")
    deliver(tenant, "WeComContactAdded", friend("g2", "c2", "2026-03-02T02:00:00Z"), "2026-03-02T02:00:00Z")
    guide = client.staff_token(tenant, "g1", ("guide",))
    [own] = kpis(client, guide, "period=month&date=2026-03-02")["rows"]
    assert (own["staff_id"], own["adds"], own["customers"]) == ("g1", 1, 1)
    assert client.get("/v1/wecom/kpis?group_by=department", token=guide).status == 403
    newcomer = client.staff_token(tenant, "g9", ("guide",))
    [empty] = kpis(client, newcomer, "period=week")["rows"]
    assert (empty["staff_id"], empty["adds"], empty["churn_rate"], empty["csat_average"]) == ("g9", 0, None, None)
    manager = client.staff_token(tenant, "m1", ("manager",))
    long_ago = kpis(client, manager, "date=0001-01-31")["rows"]  # before both adds: no customers yet
    assert [(row["staff_id"], row["customers"], row["adds"]) for row in long_ago] == [("g1", 0, 0), ("g2", 0, 0)]
    for query in ("date=2026-02-30", "period=year", "group_by=team", "date=2999-01-01", "period=week&date=9999-12-31"):
        answer = client.get(f"/v1/wecom/kpis?{query}", token=manager)
        assert answer.status == 422, (query, answer.body)
        assert answer.headers.get("Content-Type", answer.headers.get("content-type")) == "application/problem+json"


@pytest.mark.parametrize(
    ("minutes", "median"),
    [([], None), ([0], 0.0), ([59, 3], 31.0), ([1, 2, 3], 2.0), ([60, 70, 10081], 67.5), ([20000], 10080.0)],
)
def test_the_first_response_median_is_read_from_its_histogram(minutes: list[int], median: float | None) -> None:
    from services.wecom.logic.kpis import bucket, median_minutes

    histogram: dict[str, int] = {}
    for value in minutes:
        histogram[bucket(value)] = histogram.get(bucket(value), 0) + 1
    assert median_minutes(histogram) == median


# ---- the scripted scenario, through the fake WeCom and the whole stack ---------------------------
FIGURES = tuple(key for key in WEEK["g1"] if key != "name")


def add_through(client: Client, tenant: str, staff: str, external_userid: str, state: str) -> None:
    body = {"tenant_id": tenant, "action": "add", "userid": staff, "external_userid": external_userid, "state": state}
    answer = client.post(f"{FAKE}/relationships", json_body=body)
    assert answer.status == 200, answer.body
    assert answer.json["status"] == 200, answer.json


def test_kpis_equal_a_hand_count_of_the_scripted_scenario(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "zhangsan", "lisi")
    week_at_start = period_bounds("week", business_day(utc_now()))
    # zhangsan's channel code: a member scans it in the mini-program (a scan), then a customer adds
    # zhangsan through it (an add with its state, which campaigns records as a second scan).
    cid = campaign(client, admin)["campaign_id"]
    made = code(client, admin, cid, staff_id="zhangsan")["code"]
    member = client.member_login(tenant, "dev:o-kpi")
    assert client.post("/v1/scans", json_body={"code": made}, token=member["token"]).status == 202
    buyer = f"wm{uuid.uuid4().hex[:20]}"
    unionid = f"un-{uuid.uuid4().hex[:12]}"
    body = {"corp_id": corp_of(tenant), "external_userid": buyer, "name": "买家", "unionid": unionid}
    assert client.post(f"{FAKE}/customers", json_body=body).status == 200
    add_through(client, tenant, "zhangsan", buyer, made)
    # lisi adds a customer who deletes him (流失); zhangsan adds one and deletes them.
    leaver, dropped = customer(client, tenant), customer(client, tenant)
    relationship(client, tenant, "add", "lisi", leaver)
    relationship(client, tenant, "add", "zhangsan", dropped)
    eventually(lambda: len(listed(client, admin, "staff_id=zhangsan")) == 2 and listed(client, admin, "staff_id=lisi"))
    relationship(client, tenant, "customer_deletes", "lisi", leaver)
    relationship(client, tenant, "staff_deletes", "zhangsan", dropped)
    # A case of the member's, routed to zhangsan, answered, resolved and rated 5.
    setup_desk(client, tenant, {"zhangsan": {}})
    filed = file_case(client, member)
    zhangsan = client.staff_token(tenant, "zhangsan", ("agent",))
    path = f"/v1/cases/{filed['case_id']}"
    assert client.post(f"{path}/messages", json_body={"body": "您好"}, token=zhangsan).status == 201
    assert client.patch(path, json_body={"status": "resolved"}, token=zhangsan).status == 200
    rating = client.post(f"/v1/me/cases/{filed['case_id']}/csat", json_body={"rating": 5}, token=member["token"])
    assert rating.status == 201, rating.body
    # An order of the customer zhangsan owns (the partner names the buyer by unionid).
    [pair] = eventually(lambda: [r for r in listed(client, admin, f"external_userid={buyer}") if r["contact_id"]])
    assert pair["contact_id"]
    order = {"order_id": "o-kpi", "identity": {"kind": "wechat_unionid", "value": unionid}, "amount_fen": 8800}
    publish_at(tenant, "partner.shop", "OrderPaid", order | {"brand": "acme"}, rfc3339(utc_now()))

    expected = {
        "zhangsan": {
            "customers": 1,  # the buyer (the dropped customer came and went)
            "customers_at_start": 0,
            "adds": 2,
            "net_adds": 1,
            "deletions_by_customer": 0,
            "deletions_by_staff": 1,
            "churn_rate": 0.0,
            "code_scans": 2,  # the member's scan, the add through the code
            "code_adds": 1,
            "lead_conversion": 0.5,
            "cases_resolved": 1,
            "first_responses": 1,
            "first_response_median_minutes": 0.0,  # answered within the minute
            "ratings": 1,
            "csat_average": 5.0,
            "orders": 1,
            "gmv_fen": 8800,
        },
        "lisi": {
            "customers": 0,
            "customers_at_start": 0,
            "adds": 1,
            "net_adds": 0,
            "deletions_by_customer": 1,
            "deletions_by_staff": 0,
            "churn_rate": 1.0,
            "code_scans": 0,
            "code_adds": 0,
            "lead_conversion": None,
            "cases_resolved": 0,
            "first_responses": 0,
            "first_response_median_minutes": None,
            "ratings": 0,
            "csat_average": None,
            "orders": 0,
            "gmv_fen": 0,
        },
    }
    query = f"group_by=staff&period=week&date={week_at_start[0].isoformat()}"

    def figures() -> dict[str, dict[str, Any]]:
        found = rows(client, admin, query)
        return {staff: {key: found.get(staff, {}).get(key) for key in FIGURES} for staff in expected}

    with contextlib.suppress(AssertionError):  # the comparison below shows what differs
        eventually(lambda: figures() == expected, timeout=20.0)
    if period_bounds("week", business_day(utc_now())) != week_at_start:
        pytest.skip("the scenario crossed a week's boundary in Asia/Shanghai")
    assert figures() == expected


def test_staff_tasks_done_and_gone_overdue_count_once_on_their_day(client: Client, tenant: str) -> None:
    manager = client.staff_token(tenant, "m1", ("manager",))
    now = rfc3339(utc_now())

    def task(status: str, task_id: str) -> dict[str, Any]:
        return {
            "task_id": task_id,
            "staff_id": "anna",
            "contact_id": "c1",
            "status": status,
            "due_at": now,
            "changed_at": now,
        }

    deliver(tenant, "StaffTaskChanged", task("open", "tk1"), now)
    deliver(tenant, "StaffTaskChanged", task("overdue", "tk1"), now, "evt-overdue")
    deliver(tenant, "StaffTaskChanged", task("overdue", "tk1"), now, "evt-overdue")  # redelivered
    deliver(tenant, "StaffTaskChanged", task("done", "tk1"), now)
    deliver(tenant, "StaffTaskChanged", task("done", "tk2"), now)
    deliver(tenant, "StaffTaskChanged", task("skipped", "tk3"), now)
    [row] = kpis(client, manager, "group_by=staff&period=day")["rows"]
    assert (row["staff_id"], row["tasks_done"], row["tasks_overdue"]) == ("anna", 2, 1)
