"""Cases follows a merge: the alias's cases move to the survivor once, whatever the order and
number of deliveries; the alias's member token reads, writes and rates the survivor's cases; a
case opened for the alias after the merge lands on the survivor. Cases learns all of it from
``ContactsMerged`` (its own contact directory), never from contacts' table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from services.cases.dal import cases as cases_dal
from services.cases.dal import contact_directory
from services.cases.service import CONTACT_CASES_CONSUMER, CONTACT_DIRECTORY_CONSUMER
from shared import dynamo, ids
from tests.unit.conftest import Client, eventually
from tests.unit.test_cases_api import case_of, file_case, setup_desk, staff_case
from tests.unit.test_merge_followers import created, dead_lettered, deliver, merged

MERGES = CONTACT_CASES_CONSUMER.handler
DIRECTORY = CONTACT_DIRECTORY_CONSUMER.handler


def my_cases(client: Client, member: dict[str, Any]) -> list[str]:
    answer = client.get("/v1/me/cases", token=member["token"])
    assert answer.status == 200, answer.body
    return [case["case_id"] for case in answer.json["items"]]


def history(client: Client, admin: str, case_id: str) -> list[str]:
    return [line.get("reason") or "" for line in case_of(client, admin, case_id)["history"]]


def test_the_alias_token_reads_writes_and_rates_the_survivors_cases_moved_once(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"alice": {}})
    survivor = client.member_login(tenant, "dev:o-cm-survivor")
    alias = client.member_login(tenant, "dev:o-cm-alias")
    kept = file_case(client, survivor)["case_id"]
    moved = file_case(client, alias)["case_id"]
    event = merged(survivor["contact_id"], alias["contact_id"])
    for event_id in ("evt-cm-1", "evt-cm-1", None):  # redelivered, then published again
        deliver(MERGES, tenant, "ContactsMerged", event, event_id=event_id)
    assert case_of(client, admin, moved)["contact_id"] == survivor["contact_id"]
    assert sum("merged into" in note for note in history(client, admin, moved)) == 1
    assert my_cases(client, alias) == my_cases(client, survivor) == [moved, kept]
    # The alias's token works on the survivor's cases, the moved one and the survivor's own.
    assert client.get(f"/v1/me/cases/{kept}", token=alias["token"]).status == 200
    wrote = client.post(f"/v1/me/cases/{kept}/messages", json_body={"body": "还在吗"}, token=alias["token"])
    assert wrote.status == 201, wrote.body
    assert client.patch(f"/v1/cases/{moved}", json_body={"status": "resolved"}, token=admin).status == 200
    rated = client.post(f"/v1/me/cases/{moved}/csat", json_body={"rating": 5}, token=alias["token"])
    assert rated.status == 201, rated.body
    assert client.post(f"/v1/me/cases/{moved}/csat", json_body={"rating": 4}, token=survivor["token"]).status == 409
    # Staff asking for the alias's cases get the survivor's.
    listed = client.get(f"/v1/cases?contact_id={alias['contact_id']}", token=admin).json["items"]
    assert sorted(case["case_id"] for case in listed) == sorted([moved, kept])


def test_cases_opened_for_the_alias_after_the_merge_land_on_the_survivor(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"alice": {}})
    survivor = client.member_login(tenant, "dev:o-cl-survivor")
    alias = client.member_login(tenant, "dev:o-cl-alias")
    deliver(MERGES, tenant, "ContactsMerged", merged(survivor["contact_id"], alias["contact_id"]))
    by_member = file_case(client, alias)
    assert case_of(client, admin, by_member["case_id"])["contact_id"] == survivor["contact_id"]
    by_staff = staff_case(client, admin, contact_id=alias["contact_id"])
    assert by_staff["contact_id"] == survivor["contact_id"]
    assert my_cases(client, survivor) == [by_staff["case_id"], by_member["case_id"]]
    assert my_cases(client, alias) == my_cases(client, survivor)


def test_a_merge_before_the_aliass_contact_created_keeps_its_pointer(client: Client, tenant: str) -> None:
    """ContactsMerged may reach cases before the alias's ContactCreated: the directory entry it
    creates is known to staff, and the late ContactCreated leaves the pointer in place."""
    admin = setup_desk(client, tenant, {"alice": {}})
    survivor = client.member_login(tenant, "dev:o-cb-survivor")
    alias = ids.new_id("ct_")
    deliver(MERGES, tenant, "ContactsMerged", merged(survivor["contact_id"], alias))
    deliver(DIRECTORY, tenant, "ContactCreated", created(alias))
    entry, _ = contact_directory.get(tenant, alias)
    assert entry.merged_into == survivor["contact_id"]
    assert staff_case(client, admin, contact_id=alias)["contact_id"] == survivor["contact_id"]


def test_a_chain_whose_merges_arrive_backwards_ends_on_the_last_survivor(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"alice": {}})
    a, b, c = (client.member_login(tenant, f"dev:o-cc-{name}") for name in "abc")
    a_case, b_case = file_case(client, a)["case_id"], file_case(client, b)["case_id"]
    b_into_c = merged(c["contact_id"], b["contact_id"], version=8)
    a_into_b = merged(b["contact_id"], a["contact_id"], version=7)
    for event in (b_into_c, a_into_b, b_into_c, a_into_b):
        deliver(MERGES, tenant, "ContactsMerged", event)
    assert {case_of(client, admin, case_id)["contact_id"] for case_id in (a_case, b_case)} == {c["contact_id"]}
    assert my_cases(client, a) == my_cases(client, b) == my_cases(client, c) == [b_case, a_case]


def test_a_merge_that_would_form_a_cycle_is_dead_lettered_and_moves_nothing(client: Client, tenant: str) -> None:
    admin = setup_desk(client, tenant, {"alice": {}})
    a, b = client.member_login(tenant, "dev:o-cy-a"), client.member_login(tenant, "dev:o-cy-b")
    deliver(MERGES, tenant, "ContactsMerged", merged(b["contact_id"], a["contact_id"]))
    b_case = file_case(client, b)["case_id"]
    backwards = f"evt-cycle-{ids.new_id('x_')}"
    deliver(MERGES, tenant, "ContactsMerged", merged(a["contact_id"], b["contact_id"]), event_id=backwards)
    assert dead_lettered(CONTACT_CASES_CONSUMER.name, backwards)
    assert case_of(client, admin, b_case)["contact_id"] == b["contact_id"]
    entry, _ = contact_directory.get(tenant, b["contact_id"])
    assert entry.merged_into is None
    eventually(lambda: my_cases(client, a) == [b_case])


def test_cases_the_contacts_lagging_lane_does_not_list_yet_still_move(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contact's gsi2 lane is eventually consistent in DynamoDB (moto's is not): a case
    committed just before the merge may be missing from it. The merge reads the contact's case
    index in the main table instead, consistently, and the index follows each move (a later merge
    of the survivor finds the case too)."""
    admin = setup_desk(client, tenant, {"alice": {}})
    a, b, c = (client.member_login(tenant, f"dev:o-lag-{name}") for name in "abc")
    case_id = file_case(client, a)["case_id"]
    listed = dynamo.query_pages

    def lagging(request: Mapping[str, Any], most: int | None = None) -> Iterator[dict[str, Any]]:
        return iter(()) if request.get("IndexName") == "gsi2" else listed(request, most)

    with monkeypatch.context() as lag:
        lag.setattr(dynamo, "query_pages", lagging)
        deliver(MERGES, tenant, "ContactsMerged", merged(b["contact_id"], a["contact_id"]))
        assert case_of(client, admin, case_id)["contact_id"] == b["contact_id"]
        deliver(MERGES, tenant, "ContactsMerged", merged(c["contact_id"], b["contact_id"], version=8))
    assert case_of(client, admin, case_id)["contact_id"] == c["contact_id"]
    assert [cases_dal.contact_case_ids(tenant, who["contact_id"]) for who in (a, b, c)] == [[], [], [case_id]]
    assert my_cases(client, a) == my_cases(client, c) == [case_id]
