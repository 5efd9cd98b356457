"""SLA clocks in business time (hours, zone, pauses) and the sweep that marks breaches once."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from services.cases.api_models import SweepReport
from services.cases.logic import sla, sla_sweep
from services.cases.models import Actor, Case, CaseSettings, SlaTarget
from shared.clock import utc_now
from tests.unit.conftest import Client

SHANGHAI_OFFICE = {"time_zone": "Asia/Shanghai", "opens": "09:00", "closes": "18:00", "weekdays": [0, 1, 2, 3, 4]}
ALWAYS_OPEN = {"time_zone": "UTC", "opens": "00:00", "closes": "23:59:59", "weekdays": [0, 1, 2, 3, 4, 5, 6]}


def settings(first_response: int = 60, resolution: int = 240) -> CaseSettings:
    target = SlaTarget(first_response_minutes=first_response, resolution_minutes=resolution)
    return CaseSettings.model_validate(
        {"business_hours": SHANGHAI_OFFICE, "sla": dict.fromkeys(("low", "normal", "high", "urgent"), target)}
    )


def new_case(at: str) -> Case:
    return Case(
        tenant_id="t",
        case_id="k",
        type="complaint",
        subject="s",
        intake="staff",
        opened_by=Actor(kind="staff", id="s"),
        created_at=at,
        updated_at=at,
    )


def test_a_case_opened_friday_1730_with_a_60_minute_target_is_due_monday_0930() -> None:
    case = new_case("2026-11-20T09:30:00.000Z")  # Friday 17:30 in Shanghai
    sla.start(case, settings(), case.created_at)
    assert case.sla is not None
    assert case.sla.first_response_due_at == "2026-11-23T01:30:00.000Z"  # Monday 09:30 in Shanghai


def test_time_waiting_on_the_customer_does_not_count() -> None:
    rules = settings(resolution=240)
    case = new_case("2026-11-23T01:00:00.000Z")  # Monday 09:00 Shanghai
    sla.start(case, rules, case.created_at)
    case.status = "waiting_on_customer"
    sla.follow(case, rules, "2026-11-23T02:00:00.000Z")  # 10:00: 60 minutes used, the clock stops
    assert case.sla is not None
    assert case.sla.resolution_due_at is None
    assert case.sla.used_minutes == 60
    case.status = "in_progress"
    sla.follow(case, rules, "2026-11-24T01:00:00.000Z")  # Tuesday 09:00: the member answered
    assert case.sla.resolution_due_at == "2026-11-24T04:00:00.000Z"  # 180 minutes left → 12:00


def test_a_higher_priority_brings_the_due_time_forward() -> None:
    rules = settings().model_copy(
        update={"sla": settings().sla | {"urgent": SlaTarget(first_response_minutes=10, resolution_minutes=30)}}
    )
    case = new_case("2026-11-23T01:00:00.000Z")
    sla.start(case, rules, case.created_at)
    case.priority = "urgent"
    sla.follow(case, rules, "2026-11-23T01:05:00.000Z", priority_changed=True)
    # Targets count from the opening, not from the change.
    assert case.sla is not None
    assert case.sla.first_response_due_at == "2026-11-23T01:10:00.000Z"
    assert case.sla.resolution_due_at == "2026-11-23T01:30:00.000Z"


def always_open_desk(client: Client, tenant: str) -> str:
    admin = client.staff_token(tenant)
    body: dict[str, Any] = {
        "version": 0,
        "business_hours": ALWAYS_OPEN,
        "sla": {
            key: {"first_response_minutes": 5, "resolution_minutes": 600} for key in ("low", "normal", "high", "urgent")
        },
        "auto_close_days": 3,
    }
    assert client.put("/v1/case-settings", json_body=body, token=admin).status == 200
    return admin


def test_a_breach_is_marked_and_published_exactly_once_however_often_the_sweep_runs(
    client: Client, tenant: str
) -> None:
    admin = always_open_desk(client, tenant)
    case_id = client.post("/v1/cases", json_body={"type": "inquiry", "subject": "s"}, token=admin).json["case_id"]
    detail = client.get(f"/v1/cases/{case_id}", token=admin).json
    assert detail["sla"]["first_response_remaining_minutes"] in (4, 5)
    later = utc_now() + timedelta(minutes=10)
    reports: list[SweepReport] = []
    runs = [threading.Thread(target=lambda: reports.append(sla_sweep.sweep(tenant, later))) for _ in range(3)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    reports.append(sla_sweep.sweep(tenant, later))
    assert sum(report.breaches for report in reports) == 1
    detail = client.get(f"/v1/cases/{case_id}", token=admin).json
    assert detail["breached"] == ["first_response"]
    assert [line["reason"] for line in detail["history"]].count("SLA first_response target missed") == 1
    assert [c["case_id"] for c in client.get("/v1/cases?breached=true", token=admin).json["items"]] == [case_id]
    assert client.get("/v1/cases?breached=false", token=admin).json["items"] == []


def test_waiting_on_the_customer_stops_the_clock_so_nothing_breaches(client: Client, tenant: str) -> None:
    admin = always_open_desk(client, tenant)
    client.put("/v1/queues/q", json_body={"name": "Q", "is_default": True}, token=admin)
    client.put("/v1/agents/s1", json_body={"queues": ["q"]}, token=admin)
    case_id = client.post("/v1/cases", json_body={"type": "inquiry", "subject": "s"}, token=admin).json["case_id"]
    assert client.post(f"/v1/cases/{case_id}/messages", json_body={"body": "请提供订单号"}, token=admin).status == 201
    waiting = client.patch(f"/v1/cases/{case_id}", json_body={"status": "waiting_on_customer"}, token=admin)
    assert waiting.status == 200
    assert waiting.json["resolution_due_at"] is None
    assert sla_sweep.sweep(tenant, utc_now() + timedelta(days=2)).breaches == 0
    assert client.get(f"/v1/cases/{case_id}", token=admin).json["sla"]["paused"] is True


def test_a_resolved_case_closes_itself_after_the_tenants_days(client: Client, tenant: str) -> None:
    admin = always_open_desk(client, tenant)
    client.put("/v1/queues/q", json_body={"name": "Q", "is_default": True}, token=admin)
    client.put("/v1/agents/s1", json_body={"queues": ["q"]}, token=admin)
    case_id = client.post("/v1/cases", json_body={"type": "inquiry", "subject": "s"}, token=admin).json["case_id"]
    assert client.patch(f"/v1/cases/{case_id}", json_body={"status": "resolved"}, token=admin).status == 200
    assert sla_sweep.sweep(tenant, utc_now() + timedelta(days=2)).closed == 0
    assert sla_sweep.sweep(tenant, utc_now() + timedelta(days=3, minutes=1)).closed == 1
    assert client.get(f"/v1/cases/{case_id}", token=admin).json["status"] == "closed"
