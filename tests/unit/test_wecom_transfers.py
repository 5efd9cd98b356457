"""Transfers of customers between staff members through the fake WeCom: batches of 100, WeCom's
limit of two in-service transfers per customer in 90 days checked before calling, results polled
once WeCom settles them (24 h of business time), relationships and events; a departure moves the
departed member's customers, owned contacts and open cases to their manager; bad input."""

from __future__ import annotations

import json
from typing import Any

from local import dev_clock
from local.fake_wecom import ACTIVE, DEPARTED, FAKE
from services.wecom.dal.table import table
from services.wecom.logic import transfers
from shared import dynamo
from shared.dynamo import Transaction
from shared.events.wecom import WeComStaffChanged
from tests.unit.conftest import Client, eventually
from tests.unit.test_cases_api import case_of, setup_desk, staff_case
from tests.unit.test_merge_followers import deliver
from tests.unit.test_wecom_callbacks import corp_of
from tests.unit.test_wecom_flow import calls, customer, listed, ready, relationship

IN_SERVICE = "/cgi-bin/externalcontact/transfer_customer"
DEPARTED_PATH = "/cgi-bin/externalcontact/resigned/transfer_customer"
DEPARTURES = "services.wecom.handlers.departures.handler"  # wecom-departures
SETTLED = 86400 + 60  # WeCom takes a customer over 24 h after the transfer started


def member(tenant: str, userid: str, status: str = "active", managers: tuple[str, ...] = ()) -> None:
    """A member of the tenant's directory (as the directory sync records it) and of the fake's."""
    item = {"pk": f"T#{tenant}#DIRECTORY", "sk": f"STAFF#{userid}", "kind": "staff", "status": status}
    Transaction(table()).put({**item, "managers": list(managers)}).commit()
    FAKE.script_staff(corp_of(tenant), userid, userid, status=DEPARTED if status == "departed" else ACTIVE)


def followers(tenant: str, userid: str, count: int, prefix: str = "c") -> list[str]:
    """``count`` customers of ``userid`` at the fake WeCom."""
    found = [f"wm{tenant[2:]}{prefix}{number:04d}" for number in range(count)]
    for external in found:
        FAKE.customer_adds(corp_of(tenant), userid, external, welcome=False)
    return found


def start(client: Client, token: str, **body: Any) -> dict[str, Any]:
    answer = client.post("/v1/wecom/transfers", json_body=body, token=token)
    assert answer.status == 202, answer.body
    return dict(answer.json)


def transfer(client: Client, token: str, transfer_id: str) -> dict[str, Any]:
    answer = client.get(f"/v1/wecom/transfers/{transfer_id}", token=token)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def sent(client: Client, token: str, transfer_id: str) -> dict[str, Any]:
    """The transfer once every batch went to WeCom."""
    return dict(eventually(lambda: (t := transfer(client, token, transfer_id))["status"] != "sending" and t))


def outcomes(client: Client, token: str, transfer_id: str, query: str = "") -> dict[str, dict[str, Any]]:
    answer = client.get(f"/v1/wecom/transfers/{transfer_id}/customers?limit=200{query}", token=token)
    assert answer.status == 200, answer.body
    return {row["external_userid"]: row for row in answer.json["items"]}


def poll_results(tenant: str) -> None:
    """The wecom-transfer-results schedule's run, limited to the tenant (other tests' transfers
    are due too: the index is across tenants)."""
    transfers.poll_due(tenant)


def published(tenant: str, detail_type: str) -> list[dict[str, Any]]:
    """The events the tenant's wecom service wrote to its outbox."""
    request = {
        "TableName": table(),
        "FilterExpression": "begins_with(pk, :p) AND detail_type = :d",
        "ExpressionAttributeValues": dynamo.serialize({":p": f"T#{tenant}#OUTBOX#", ":d": detail_type}),
    }
    pages = dynamo.client().get_paginator("scan").paginate(**request)
    return [json.loads(dynamo.deserialize(item)["detail"])["data"] for page in pages for item in page["Items"]]


def test_250_customers_go_in_3_batches_and_the_twice_transferred_one_is_skipped(client: Client, tenant: str) -> None:
    admin = ready(client, tenant)
    member(tenant, "anna")
    member(tenant, "bo")
    # One customer already went anna → bo → anna within 90 days.
    [often] = followers(tenant, "anna", 1, prefix="often")
    first = start(client, admin, from_staff="anna", to_staff="bo", external_userids=[often])
    assert sent(client, admin, first["transfer_id"])["counts"]["waiting"] == 1
    dev_clock.advance(SETTLED)
    second = start(client, admin, from_staff="bo", to_staff="anna", external_userids=[often])
    assert sent(client, admin, second["transfer_id"])["counts"]["waiting"] == 1
    dev_clock.advance(SETTLED)
    before = len(calls(client, tenant, IN_SERVICE))

    customers = followers(tenant, "anna", 250)
    big = start(client, admin, from_staff="anna", to_staff="bo", external_userids=customers)
    assert sent(client, admin, big["transfer_id"])["counts"] == {
        "total": 250,
        "sent": 250,
        "succeeded": 0,
        "failed": 0,
        "skipped": 0,
        "waiting": 250,
    }
    batches = calls(client, tenant, IN_SERVICE)[before:]
    assert [len(call["body"]["external_userid"]) for call in batches] == [100, 100, 50]
    assert sorted(e for call in batches for e in call["body"]["external_userid"]) == sorted(customers)

    third = start(client, admin, from_staff="anna", to_staff="bo", external_userids=[often, customers[0]])
    done = sent(client, admin, third["transfer_id"])
    assert (done["counts"]["skipped"], done["counts"]["waiting"]) == (2, 0)  # customers[0] is pending: 40129
    skipped = outcomes(client, admin, third["transfer_id"], "&outcome=skipped")
    assert (skipped[often]["reason"], skipped[customers[0]]["reason"]) == ("transfer_limit", "transfer_in_progress")
    assert all(often not in call["body"]["external_userid"] for call in calls(client, tenant, IN_SERVICE)[before:])


def test_results_polled_after_a_day_settle_outcomes_events_and_relationships(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "chen", "du")
    member(tenant, "chen")
    member(tenant, "du")
    kept, moved = customer(client, tenant, "甲"), customer(client, tenant, "乙")
    for external in (kept, moved):
        relationship(client, tenant, "add", "chen", external)
    eventually(lambda: len(listed(client, admin, "staff_id=chen")) == 2)
    stranger = "wm-not-a-customer"
    started = start(client, admin, from_staff="chen", to_staff="du", external_userids=[moved, stranger])
    transfer_id = started["transfer_id"]
    assert sent(client, admin, transfer_id)["counts"]["waiting"] == 1
    poll_results(tenant)  # not due yet: nothing asked
    assert not calls(client, tenant, "/cgi-bin/externalcontact/transfer_result")

    dev_clock.advance(SETTLED)
    poll_results(tenant)
    done = transfer(client, admin, transfer_id)
    assert done["status"] == "done"
    assert {k: done["counts"][k] for k in ("succeeded", "skipped", "waiting")} == {
        "succeeded": 1,
        "skipped": 1,
        "waiting": 0,
    }
    rows = outcomes(client, admin, transfer_id)
    assert (rows[moved]["outcome"], rows[stranger]["reason"]) == ("succeeded", "not_a_customer")
    events = {e["external_userid"]: e for e in published(tenant, "WeComCustomerTransferred")}
    assert (events[moved]["outcome"], events[stranger]["outcome"]) == ("succeeded", "skipped")
    # The customer's relationships moved: du's active (a new friendship), chen's removed.
    [taken] = listed(client, admin, "staff_id=du")
    assert (taken["external_userid"], taken["status"], taken["add_way"]) == (moved, "active", 201)
    assert {p["external_userid"]: p["status"] for p in listed(client, admin, "staff_id=chen")} == {
        kept: "active",
        moved: "removed",
    }
    # A second run polls nothing: the transfer left the due index.
    asked = len(calls(client, tenant, "/cgi-bin/externalcontact/transfer_result"))
    poll_results(tenant)
    assert len(calls(client, tenant, "/cgi-bin/externalcontact/transfer_result")) == asked


def test_a_departure_transfers_to_the_manager_and_moves_owned_contacts_and_open_cases(
    client: Client, tenant: str
) -> None:
    admin = ready(client, tenant, "ding", "mei")
    member(tenant, "mei")
    member(tenant, "ding", managers=("mei",))
    owned = [customer(client, tenant, name) for name in ("丙", "丁")]
    for external in owned:
        relationship(client, tenant, "add", "ding", external)
    contacts = eventually(
        lambda: len(found := client.get("/v1/contacts?owner=ding", token=admin).json["items"]) == 2 and found
    )
    setup_desk(client, tenant, {"ding": {}, "mei": {"availability": "away"}})
    case_id = staff_case(client, admin)["case_id"]
    assert case_of(client, admin, case_id)["assignee"] == "ding"

    member(tenant, "ding", "departed", managers=("mei",))
    left = WeComStaffChanged(
        corp_id=corp_of(tenant),
        staff_id="ding",
        name="ding",
        status="departed",
        department_ids=[1],
        managers=["mei"],
        roles=[],
    )
    for _ in range(2):  # the directory reports a departed member at every sync
        deliver(DEPARTURES, tenant, "WeComStaffChanged", left.model_dump(mode="json"), source="siyu.wecom")
    [departed] = eventually(lambda: client.get("/v1/wecom/transfers?from_staff=ding", token=admin).json["items"])
    assert (departed["to_staff"], departed["departed"], departed["selection"]) == ("mei", True, "all")
    assert sent(client, admin, departed["transfer_id"])["counts"]["waiting"] == 2
    [batch] = calls(client, tenant, DEPARTED_PATH)
    assert sorted(batch["body"]["external_userid"]) == sorted(owned)
    [succeeded] = published(tenant, "WeComStaffSucceeded")
    assert (succeeded["staff_id"], succeeded["successor_id"]) == ("ding", "mei")

    # Contacts and cases take it from there (their consumers of WeComStaffSucceeded).
    for handler in (
        "services.contacts.handlers.staff_succession.handler",
        "services.cases.handlers.staff_succession.handler",
    ):
        deliver(handler, tenant, "WeComStaffSucceeded", succeeded, source="siyu.wecom")
    now_owned = client.get("/v1/contacts?owner=mei", token=admin).json["items"]
    assert sorted(c["contact_id"] for c in now_owned) == sorted(c["contact_id"] for c in contacts)
    assert client.get("/v1/contacts?owner=ding", token=admin).json["items"] == []
    assert case_of(client, admin, case_id)["assignee"] == "mei"
    assert len(client.get("/v1/wecom/transfers?from_staff=ding", token=admin).json["items"]) == 1


def test_a_transferred_customers_contact_moves_to_the_new_owner(client: Client, tenant: str) -> None:
    admin = ready(client, tenant, "fang")
    external = customer(client, tenant, "戊")
    relationship(client, tenant, "add", "fang", external)
    [contact] = eventually(lambda: client.get("/v1/contacts?owner=fang", token=admin).json["items"])
    event = {
        "transfer_id": "wt_1",
        "corp_id": corp_of(tenant),
        "external_userid": external,
        "from_staff": "fang",
        "to_staff": "gao",
        "outcome": "succeeded",
    }
    handler = "services.contacts.handlers.staff_succession.handler"
    deliver(handler, tenant, "WeComCustomerTransferred", {**event, "outcome": "failed"}, source="siyu.wecom")
    assert client.get("/v1/contacts?owner=fang", token=admin).json["items"] != []
    deliver(handler, tenant, "WeComCustomerTransferred", event, source="siyu.wecom")
    [moved] = client.get("/v1/contacts?owner=gao", token=admin).json["items"]
    assert moved["contact_id"] == contact["contact_id"]


def test_bad_transfers_are_refused(client: Client, tenant: str) -> None:
    admin = ready(client, tenant)
    member(tenant, "hu")
    member(tenant, "left", "departed")

    def refused(**body: Any) -> int:
        return client.post("/v1/wecom/transfers", json_body=body, token=admin).status

    assert refused(from_staff="hu", to_staff="nobody", all=True) == 422  # unknown to the directory
    assert refused(from_staff="hu", to_staff="left", all=True) == 422  # departed
    assert refused(from_staff="left", to_staff="hu", all=True) == 422  # departed needs departed: true
    assert refused(from_staff="hu", to_staff="hu", all=True) == 422
    too_many = [f"wm{number}" for number in range(10_001)]
    assert refused(from_staff="left", to_staff="hu", external_userids=too_many, departed=True) == 422
    assert refused(from_staff="left", to_staff="hu", external_userids=["wm1"], all=True, departed=True) == 422
    assert refused(from_staff="left", to_staff="hu", departed=True) == 422  # neither
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert (
        client.post(
            "/v1/wecom/transfers", json_body={"from_staff": "hu", "to_staff": "x", "all": True}, token=guide
        ).status
        == 403
    )
    assert client.get("/v1/wecom/transfers/wt_unknown", token=admin).status == 404
