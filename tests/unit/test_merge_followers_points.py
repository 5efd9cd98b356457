"""Points follows a merge: the survivor's account ends with the summed balance and both ledgers
intact, exactly once whatever the order and number of deliveries; chains resolve; the alias's
member token reads and spends the survivor's points; awards for the alias that arrive after the
merge land on the survivor once."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from services.points.dal import ledger as dal
from services.points.service import CONTACTS_CONSUMER, CONVERSIONS_CONSUMER
from shared import ids
from shared.manifest import resolve_handler
from tests.unit.conftest import Client
from tests.unit.test_merge_followers import created, dead_lettered, deliver, event_body, merged

MERGES = CONTACTS_CONSUMER.handler


def member_with(client: Client, tenant: str, code: str, points: int) -> dict[str, Any]:
    member = client.member_login(tenant, code)
    if points:
        path = f"/v1/contacts/{member['contact_id']}/points/adjustments"
        answer = client.post(path, json_body={"points": points, "reason": "welcome"}, token=client.staff_token(tenant))
        assert answer.status == 201, answer.body
    return member


def staff_entries(client: Client, tenant: str, contact_id: str) -> list[tuple[str, int]]:
    answer = client.get(f"/v1/contacts/{contact_id}/points/entries", token=client.staff_token(tenant))
    assert answer.status == 200, answer.body
    return [(e["type"], e["points"]) for e in answer.json["items"]]


def balance(client: Client, token: str) -> int:
    return int(client.get("/v1/me/points", token=token).json["balance"])


def test_duplicate_and_repeated_merges_sum_the_balance_once_and_keep_both_ledgers(client: Client, tenant: str) -> None:
    survivor = member_with(client, tenant, "dev:o-pm-survivor", 10)
    alias = member_with(client, tenant, "dev:o-pm-alias", 25)
    event = merged(survivor["contact_id"], alias["contact_id"])
    deliver(MERGES, tenant, "ContactsMerged", event, event_id="evt-merge-1")
    deliver(MERGES, tenant, "ContactsMerged", event, event_id="evt-merge-1")  # redelivered
    deliver(MERGES, tenant, "ContactsMerged", event)  # published again (a retried merge request)
    assert balance(client, survivor["token"]) == 35
    assert client.get("/v1/me/points", token=survivor["token"]).json["lifetime_earned"] == 35
    assert staff_entries(client, tenant, survivor["contact_id"]) == [("merge_in", 25), ("adjustment", 10)]
    assert staff_entries(client, tenant, alias["contact_id"]) == [("merge_out", -25), ("adjustment", 25)]


def test_the_alias_token_reads_the_survivors_account_entries_and_statement(client: Client, tenant: str) -> None:
    survivor = member_with(client, tenant, "dev:o-pr-survivor", 10)
    alias = member_with(client, tenant, "dev:o-pr-alias", 25)
    deliver(MERGES, tenant, "ContactsMerged", merged(survivor["contact_id"], alias["contact_id"]))
    assert (
        client.get("/v1/me/points", token=alias["token"]).json
        == client.get("/v1/me/points", token=survivor["token"]).json
    )
    mine = client.get("/v1/me/points/entries", token=alias["token"]).json["items"]
    assert [(e["type"], e["points"]) for e in mine] == [("merge_in", 25), ("adjustment", 10)]
    month = mine[0]["created_at"][:7]
    statement = client.get(f"/v1/me/points/statement?month={month}", token=alias["token"]).json
    assert (statement["earned"], statement["merged"], statement["closing"]) == (10, 25, 35)


def test_check_ins_and_redemptions_with_the_alias_token_spend_the_survivors_points_once(
    client: Client, tenant: str
) -> None:
    survivor = member_with(client, tenant, "dev:o-ps-survivor", 40)
    alias = member_with(client, tenant, "dev:o-ps-alias", 60)
    deliver(MERGES, tenant, "ContactsMerged", merged(survivor["contact_id"], alias["contact_id"]))
    # One check-in a day for the person, whichever token they use.
    checked = client.post("/v1/me/checkins", token=alias["token"])
    assert checked.status == 201, checked.body
    assert client.post("/v1/me/checkins", token=survivor["token"]).status == 409
    assert client.get("/v1/me/checkins", token=survivor["token"]).json["checked_in_today"] is True
    after_checkin = 100 + checked.json["points"]
    assert balance(client, survivor["token"]) == after_checkin
    # Both tokens race for a reward that the balance pays for once.
    cost = after_checkin // 2 + 1
    answer = client.post("/v1/rewards", json_body={"name": "Kettle", "cost": cost}, token=client.staff_token(tenant))
    reward_id = answer.json["reward_id"]
    statuses: list[int] = []

    def redeem(token: str) -> None:
        statuses.append(client.post("/v1/me/redemptions", json_body={"reward_id": reward_id}, token=token).status)

    threads = [threading.Thread(target=redeem, args=(m["token"],)) for m in (alias, survivor, alias, survivor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    assert balance(client, alias["token"]) == after_checkin - cost
    assert staff_entries(client, tenant, alias["contact_id"]) == [("merge_out", -60), ("adjustment", 60)]
    redeemed = [client.get("/v1/me/redemptions", token=m["token"]).json["items"] for m in (alias, survivor)]
    assert len(redeemed[0]) == 1
    assert redeemed[1] == redeemed[0]


def test_a_chain_resolves_whatever_order_its_merges_arrive_in(client: Client, tenant: str) -> None:
    """A into B and B into C; contacts publishes them in that order, they arrive the other way."""
    a = member_with(client, tenant, "dev:o-pc-a", 1)
    b = member_with(client, tenant, "dev:o-pc-b", 10)
    c = member_with(client, tenant, "dev:o-pc-c", 100)
    b_into_c = merged(c["contact_id"], b["contact_id"], version=8)
    a_into_b = merged(b["contact_id"], a["contact_id"], version=7)
    deliver(MERGES, tenant, "ContactsMerged", b_into_c)
    deliver(MERGES, tenant, "ContactsMerged", a_into_b)
    deliver(MERGES, tenant, "ContactsMerged", b_into_c)
    deliver(MERGES, tenant, "ContactsMerged", a_into_b)
    assert balance(client, c["token"]) == 111
    assert [balance(client, m["token"]) for m in (a, b)] == [111, 111]
    # A credit to A after both merges lands on C.
    path = f"/v1/contacts/{a['contact_id']}/points/adjustments"
    assert client.post(path, json_body={"points": 5, "reason": "late"}, token=client.staff_token(tenant)).status == 201
    assert balance(client, c["token"]) == 116
    assert sorted(staff_entries(client, tenant, c["contact_id"])) == [
        ("adjustment", 5),
        ("adjustment", 100),
        ("merge_in", 1),
        ("merge_in", 10),
    ]
    assert staff_entries(client, tenant, b["contact_id"]) == [("merge_out", -10), ("adjustment", 10)]
    assert dal.get_account(tenant, b["contact_id"]).balance == 0


def test_a_merge_before_the_alias_is_known_and_a_late_award_land_on_the_survivor_once(
    client: Client, tenant: str
) -> None:
    survivor = member_with(client, tenant, "dev:o-pl-survivor", 10)
    alias = ids.new_id("ct_")  # contacts' ContactCreated for it has not reached points yet
    deliver(MERGES, tenant, "ContactsMerged", merged(survivor["contact_id"], alias))
    deliver(MERGES, tenant, "ContactCreated", created(alias))
    conversion = {
        "scan_id": ids.new_id("sc_"),
        "contact_id": alias,
        "campaign_id": "cp_1",
        "code": "code",
        "channel": "poster",
        "conversion_id": f"cp_1:{alias}",
        "kind": "acquisition",
        "points": 50,
        "rewarded": True,
    }
    for _ in range(2):  # delivered twice
        deliver(CONVERSIONS_CONSUMER.handler, tenant, "CampaignConversionRecorded", conversion, source="siyu.campaigns")
    assert balance(client, survivor["token"]) == 60
    assert staff_entries(client, tenant, survivor["contact_id"]) == [
        ("credit", 50),
        ("merge_in", 0),
        ("adjustment", 10),
    ]
    assert dal.get_account(tenant, alias).balance == 0


def test_a_merge_that_would_form_a_cycle_is_dead_lettered_and_changes_nothing(client: Client, tenant: str) -> None:
    a = member_with(client, tenant, "dev:o-py-a", 3)
    b = member_with(client, tenant, "dev:o-py-b", 4)
    deliver(MERGES, tenant, "ContactsMerged", merged(b["contact_id"], a["contact_id"]))
    backwards = f"evt-backwards-{ids.new_id('x_')}"
    deliver(MERGES, tenant, "ContactsMerged", merged(a["contact_id"], b["contact_id"]), event_id=backwards)
    assert dead_lettered(CONTACTS_CONSUMER.name, backwards)
    assert balance(client, b["token"]) == 7
    assert dal.get_account(tenant, b["contact_id"]).merged_into is None


def conversion_for(contact_id: str, points: int = 50) -> dict[str, Any]:
    return {
        "scan_id": ids.new_id("sc_"),
        "contact_id": contact_id,
        "campaign_id": "cp_1",
        "code": "code",
        "channel": "poster",
        "conversion_id": f"cp_1:{contact_id}",
        "kind": "engagement",
        "points": points,
        "rewarded": True,
    }


def test_a_credit_applied_before_the_merge_and_redelivered_after_it_is_applied_once(
    client: Client, tenant: str
) -> None:
    survivor = member_with(client, tenant, "dev:o-pd-survivor", 10)
    alias = member_with(client, tenant, "dev:o-pd-alias", 0)
    conversion = conversion_for(alias["contact_id"])
    deliver(CONVERSIONS_CONSUMER.handler, tenant, "CampaignConversionRecorded", conversion, source="siyu.campaigns")
    deliver(MERGES, tenant, "ContactsMerged", merged(survivor["contact_id"], alias["contact_id"]))
    # The same event again, now that the alias's credits land on the survivor.
    deliver(CONVERSIONS_CONSUMER.handler, tenant, "CampaignConversionRecorded", conversion, source="siyu.campaigns")
    assert balance(client, survivor["token"]) == 60
    assert staff_entries(client, tenant, survivor["contact_id"]) == [("merge_in", 50), ("adjustment", 10)]


def test_a_check_in_as_the_alias_before_the_merge_counts_for_the_survivor_that_day(client: Client, tenant: str) -> None:
    survivor = member_with(client, tenant, "dev:o-pk-survivor", 0)
    alias = member_with(client, tenant, "dev:o-pk-alias", 0)
    checked = client.post("/v1/me/checkins", token=alias["token"])
    assert checked.status == 201, checked.body
    deliver(MERGES, tenant, "ContactsMerged", merged(survivor["contact_id"], alias["contact_id"]))
    again = client.post("/v1/me/checkins", token=survivor["token"])
    assert again.status == 409, again.body
    status = client.get("/v1/me/checkins", token=survivor["token"]).json
    assert (status["checked_in_today"], status["streak"]) == (True, 1)
    assert balance(client, survivor["token"]) == checked.json["points"]


def test_a_merge_re_points_the_earlier_aliases_to_the_new_survivor(client: Client, tenant: str) -> None:
    a = member_with(client, tenant, "dev:o-pp-a", 1)
    b = member_with(client, tenant, "dev:o-pp-b", 10)
    c = member_with(client, tenant, "dev:o-pp-c", 100)
    deliver(MERGES, tenant, "ContactsMerged", merged(b["contact_id"], a["contact_id"], version=7))
    b_into_c = merged(c["contact_id"], b["contact_id"], version=8) | {"also_merged": [a["contact_id"]]}
    deliver(MERGES, tenant, "ContactsMerged", b_into_c)
    deliver(MERGES, tenant, "ContactsMerged", b_into_c)  # redelivered: nothing more to do
    assert dal.get_account(tenant, a["contact_id"]).merged_into == c["contact_id"]
    assert balance(client, a["token"]) == 111


def test_a_credit_past_too_long_a_chain_is_retried_not_left_on_an_emptied_account(client: Client, tenant: str) -> None:
    chain = [ids.new_id("ct_") for _ in range(8)]
    for alias, survivor in itertools.pairwise(chain):  # each merge without ``also_merged``
        deliver(MERGES, tenant, "ContactsMerged", merged(survivor, alias))
    handler = resolve_handler(CONVERSIONS_CONSUMER.handler)
    body = event_body("siyu.campaigns", "CampaignConversionRecorded", tenant, conversion_for(chain[0]))
    answer = handler({"Records": [{"messageId": "m-chain", "body": body}]}, None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-chain"}]}  # retried, then dead-lettered
    assert [dal.get_account(tenant, c).balance for c in chain] == [0] * 8
