"""Issue 14's end-to-end acceptance on the local stack over HTTP: a contact imported by CSV with a
phone and an order (points earned) later logs in by WeChat and binds the same phone → merged: one
points account with the summed balance and an intact ledger, cases moved, timelines combined, the
alias id resolves, the old token works."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Http, emulator_client, wait_for

pytestmark = pytest.mark.e2e

PHONE = "13900001414"


def ok(answer: tuple[int, Any], status: int = 200) -> Any:
    assert answer[0] == status, answer
    return answer[1]


def upload(url: str, content: bytes) -> None:
    request = urllib.request.Request(url, data=content, method="PUT")
    request.add_header("Content-Type", "text/csv")
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert 200 <= answer.status < 300


def order_paid(http: Http, tenant: str, contact_id: str, amount_fen: int) -> None:
    detail = {
        "metadata": {
            "event_id": f"evt-{uuid.uuid4().hex}",
            "event_version": 1,
            "tenant_id": tenant,
            "occurred_at": "2026-11-22T00:00:00Z",
            "correlation_id": "e2e",
        },
        "data": {
            "order_id": f"SO-{uuid.uuid4().hex[:6]}",
            "contact_id": contact_id,
            "amount_fen": amount_fen,
            "brand": "acme",
        },
    }
    entry = {
        "EventBusName": "siyu-local-bus",
        "Source": "partner.shop",
        "DetailType": "OrderPaid",
        "Detail": json.dumps(detail),
    }
    assert emulator_client(http, "events").put_events(Entries=[entry])["FailedEntryCount"] == 0


def test_an_imported_buyer_who_logs_in_and_binds_the_phone_becomes_one_customer(local_stack: Http) -> None:
    http = local_stack
    tenant = f"e2e-{uuid.uuid4().hex[:8]}"
    admin = http.staff_token(tenant)
    policy = ok(http.call("GET", "/v1/points/policy", token=admin))
    policy["earning_rules"] = [{"source": "order", "points_per_yuan": 1}]
    ok(http.call("PUT", "/v1/points/policy", policy, admin))

    # The CSV import: one buyer with a phone.
    created = ok(http.call("POST", "/v1/contacts/imports", {"file_name": "crm.csv"}, admin), 201)
    upload(created["upload_url"], f"name,phone,tags\n王芳,{PHONE},老客\n".encode())
    job_id = created["job"]["job_id"]
    ok(http.call("POST", f"/v1/contacts/imports/{job_id}/start", token=admin), 202)
    assert wait_for(lambda: http.call("GET", f"/v1/jobs/{job_id}", token=admin)[1]["status"] == "succeeded", 30)
    imported = ok(http.call("GET", f"/v1/contacts?phone={PHONE}", token=admin))["items"][0]["contact_id"]

    # Their order earns points; staff open a case for them.
    order_paid(http, tenant, imported, 12_300)
    assert wait_for(
        lambda: http.call("GET", f"/v1/contacts/{imported}/points", token=admin)[1].get("balance") == 123, 20
    )
    case_id = ok(
        http.call("POST", "/v1/cases", {"type": "inquiry", "subject": "发票", "contact_id": imported}, admin), 201
    )["case_id"]

    # Later they open the mini-program: a new contact, with points of its own (a check-in).
    member = ok(
        http.call("POST", "/v1/auth/wechat", {"tenant_id": tenant, "app_id": "wx-e2e", "code": "dev:o-imported"})
    )
    newcomer, old_token = member["contact_id"], member["token"]
    assert newcomer != imported
    ok(http.call("POST", "/v1/me/checkins", token=old_token), 201)
    assert wait_for(lambda: http.call("GET", "/v1/me/points", token=old_token)[1].get("balance") == 5, 20)

    # Binding the same phone merges them: the imported contact (older) survives.
    bound = ok(http.call("POST", "/v1/me/phone", {"code": f"dev-phone:{PHONE}"}, old_token))
    assert bound["contact_id"] == imported

    # The old token works and answers the survivor; the alias id resolves to it.
    assert ok(http.call("GET", "/v1/me", token=old_token))["contact_id"] == imported
    alias = ok(http.call("GET", f"/v1/contacts/{newcomer}", token=admin))
    assert alias["contact_id"] == imported
    assert newcomer in alias["merged_from"]

    # One points account: the summed balance, both ledgers intact.
    assert wait_for(lambda: http.call("GET", "/v1/me/points", token=old_token)[1].get("balance") == 128, 20)
    entries = ok(http.call("GET", f"/v1/contacts/{imported}/points/entries", token=admin))["items"]
    assert sorted(entry["points"] for entry in entries) == [5, 123]

    # Cases: the survivor's; the timeline holds both contacts' facts.
    cases = ok(http.call("GET", f"/v1/cases?contact_id={newcomer}", token=admin))["items"]
    assert [case["case_id"] for case in cases] == [case_id]

    def timeline_types() -> set[str]:
        items = http.call("GET", f"/v1/contacts/{imported}/timeline?limit=100", token=admin)[1]["items"]
        return {item["type"] for item in items}

    assert wait_for(
        lambda: {"OrderPaid", "MemberLoggedIn", "PointsAwarded", "CaseOpened", "ContactsMerged"} <= timeline_types(), 20
    )
    merges = ok(http.call("GET", f"/v1/contacts/{imported}/merges", token=admin))["items"]
    assert [(m["alias_id"], m["evidence"]) for m in merges] == [(newcomer, "phone")]
