"""Staff tasks (issue 16, point 5, and /v1/me/tasks of point 7): a guide's own tasks with the
customer's context and a suggested message, due today and overdue first; completed or skipped with
a note by their own staff member only; overdue counts per staff member kept exact."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.outreach.dal import facts as facts_dal
from services.outreach.dal import tasks as dal
from services.outreach.dal.table import table
from services.outreach.logic import tasks
from services.outreach.task_models import StaffTask
from shared import ids, outbox
from shared.clock import rfc3339, utc_now
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate
from tests.unit.conftest import Client

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the tenant's time zone (outreach's default)


def make_task(tenant: str, staff: str, due: datetime, contact_id: str = "c-1", title: str = "回访") -> StaffTask:
    """A task as a journey's task step makes it, written as the engine writes it (in its own
    transaction)."""
    stamp = rfc3339(utc_now())
    task = StaffTask(
        tenant_id=tenant,
        task_id=ids.new_id("tk_"),
        staff_id=staff,
        contact_id=contact_id,
        journey_id="jr_1",
        step_id="call",
        title=title,
        suggested_message=f"{title}, 您好",
        due_at=rfc3339(due),
        created_at=stamp,
        updated_at=stamp,
    )
    tx = Transaction(table())
    dal.create(tx, task)
    tx.commit()
    return task


def ids_of(answer: Any) -> list[str]:
    assert answer.status == 200, answer.body
    return [item["task_id"] for item in answer.json["items"]]


def counts(client: Client, manager: str) -> dict[str, int]:
    answer = client.get("/v1/tasks/overdue-counts", token=manager)
    assert answer.status == 200, answer.body
    return {item["staff_id"]: item["overdue"] for item in answer.json["items"]}


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch, tenant: str) -> list[tuple[str, str]]:
    """The tenant's StaffTaskChanged events written with its tasks' changes: (task_id, status)."""
    seen: list[tuple[str, str]] = []
    real = outbox.publish_with

    def recording(tx: Transaction, tenant_id: str, *events: Any) -> Transaction:
        if tenant_id == tenant:  # a sweep marks every tenant's tasks
            seen.extend((event.task_id, event.status) for event in events)
        return real(tx, tenant_id, *events)

    monkeypatch.setattr(dal, "publish_with", recording)
    return seen


def test_a_guide_lists_works_and_closes_only_their_own_tasks(
    client: Client, tenant: str, published: list[tuple[str, str]]
) -> None:
    now = utc_now()
    today = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    facts_dal.save_profile(tenant, "c-1", {"name": "王芳", "tags": ["VIP"], "owners": {"*": "g1"}}, 1)
    yesterday = make_task(tenant, "g1", today - timedelta(hours=2))
    this_morning = make_task(tenant, "g1", today + timedelta(minutes=1))
    tomorrow = make_task(tenant, "g1", today + timedelta(days=1, hours=10))
    theirs = make_task(tenant, "g2", today + timedelta(minutes=1))
    guide = client.staff_token(tenant, "g1", ("guide",))
    other = client.staff_token(tenant, "g2", ("guide",))

    answer = client.get("/v1/me/tasks", token=guide)  # open: soonest due first
    assert ids_of(answer) == [yesterday.task_id, this_morning.task_id, tomorrow.task_id]
    first = answer.json["items"][0]
    assert [item["overdue"] for item in answer.json["items"]] == [True, today + timedelta(minutes=1) < now, False]
    assert first["customer"] == {
        "contact_id": "c-1",
        "name": "王芳",
        "lifecycle_stage": None,
        "tags": ["VIP"],
        "points_balance": None,
        "owner": "g1",
    }
    assert first["suggested_message"] == "回访, 您好"
    assert ids_of(client.get("/v1/me/tasks?view=today", token=guide)) == [this_morning.task_id]
    assert ids_of(client.get("/v1/me/tasks?view=overdue", token=guide))[0] == yesterday.task_id

    done = f"/v1/me/tasks/{yesterday.task_id}/complete"
    assert client.post(done, json_body={"note": "n"}, token=other).status == 404  # another's task
    answer = client.post(done, json_body={"note": "约了周六到店"}, token=guide)
    assert answer.status == 200, answer.body
    assert (answer.json["status"], answer.json["outcome_note"]) == ("done", "约了周六到店")
    assert client.post(done, token=guide).status == 409  # closed twice
    assert client.post(f"/v1/me/tasks/{yesterday.task_id}/skip", token=guide).status == 409
    assert client.post(f"/v1/me/tasks/{tomorrow.task_id}/skip", token=guide).status == 200  # no note
    assert client.post("/v1/me/tasks/tk_nope/skip", token=guide).status == 404
    assert ids_of(client.get("/v1/me/tasks?view=closed", token=guide)) == [tomorrow.task_id, yesterday.task_id]
    assert ids_of(client.get("/v1/me/tasks", token=other)) == [theirs.task_id]

    manager = client.staff_token(tenant, "m1", ("manager",))
    assert set(ids_of(client.get("/v1/tasks", token=manager))) == {this_morning.task_id, theirs.task_id}
    assert ids_of(client.get("/v1/tasks?status=done&staff_id=g1", token=manager)) == [yesterday.task_id]
    assert ids_of(client.get("/v1/tasks?status=skipped", token=manager)) == [tomorrow.task_id]
    assert client.get("/v1/tasks", token=guide).status == 403
    assert client.get("/v1/me/tasks?view=soon", token=guide).status == 422
    assert client.post(done, json_body={"note": 5}, token=guide).status == 422
    assert published == [
        (yesterday.task_id, "open"),
        (this_morning.task_id, "open"),
        (tomorrow.task_id, "open"),
        (theirs.task_id, "open"),
        (yesterday.task_id, "done"),
        (tomorrow.task_id, "skipped"),
    ]


def test_overdue_counts_stay_exact_through_repeated_sweeps_closures_and_races(
    client: Client, tenant: str, published: list[tuple[str, str]]
) -> None:
    now = utc_now()
    late = [make_task(tenant, "g1", now - timedelta(minutes=minutes)) for minutes in (5, 50, 500)]
    theirs = make_task(tenant, "g2", now - timedelta(minutes=1))
    make_task(tenant, "g2", now + timedelta(hours=1))  # not due yet
    manager = client.staff_token(tenant, "m1", ("manager",))
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert counts(client, manager) == {}

    tasks.sweep_overdue()
    tasks.sweep_overdue()  # a tick delivered twice counts nothing twice
    assert counts(client, manager) == {"g1": 3, "g2": 1}
    overdue = sorted(task_id for task_id, status in published if status == "overdue")
    assert overdue == sorted([*(task.task_id for task in late), theirs.task_id])

    assert client.post(f"/v1/me/tasks/{late[0].task_id}/complete", token=guide).status == 200
    assert counts(client, manager) == {"g1": 2, "g2": 1}

    # A close computed before the sweep found its task overdue loses: read again, it takes the
    # count down with it.
    racing = make_task(tenant, "g1", now - timedelta(minutes=2))
    stale = dal.get(tenant, racing.task_id)
    assert stale is not None
    tasks.sweep_overdue()
    assert counts(client, manager) == {"g1": 3, "g2": 1}
    closed = stale.model_copy(update={"status": "done", "closed_at": rfc3339(now), "updated_at": rfc3339(now)})
    with pytest.raises(ConcurrentUpdate):
        dal.close(stale, closed)
    assert client.post(f"/v1/me/tasks/{racing.task_id}/skip", token=guide).status == 200
    assert counts(client, manager) == {"g1": 2, "g2": 1}
