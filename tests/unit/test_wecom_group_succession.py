"""A departed staff member's customer groups go to their successor (离职继承 of groups, issue 15
point 8): after the customers' batches the departed transfer sends the member's groups, read
through the groups' owner index, to WeCom's groupchat/transfer in batches of 100; moved groups
show the successor as owner, a failure is recorded with its reason, a redelivery or a step run
again calls WeCom for nothing; an in-service transfer moves no group."""

from __future__ import annotations

from local.fake_wecom import FAKE
from services.wecom.dal import jobs as jobs_dal
from services.wecom.dal import settings
from services.wecom.logic import transfers
from services.wecom.transfer_models import Transfer
from shared.events.wecom import WeComStaffChanged
from tests.unit.conftest import Client, eventually
from tests.unit.test_merge_followers import deliver
from tests.unit.test_wecom_callbacks import corp_of
from tests.unit.test_wecom_flow import calls, customer, ready
from tests.unit.test_wecom_transfers import DEPARTURES, member, published, sent, start

DEPARTED_GROUPS = "/cgi-bin/externalcontact/groupchat/transfer"
IN_SERVICE_GROUPS = "/cgi-bin/externalcontact/groupchat/onjob_transfer"


def synced_groups(client: Client, tenant: str, admin: str, owners: dict[str, str]) -> None:
    """Groups (chat id → owner) at the fake WeCom, each with a customer, stored by a group sync."""
    buyer = customer(client, tenant, "王芳")
    for chat_id, owner in owners.items():
        FAKE.script_group(corp_of(tenant), chat_id, f"群 {chat_id}", owner, [buyer])
    job_id = client.post("/v1/wecom/groups/syncs", token=admin).json["job_id"]
    eventually(lambda: client.get(f"/v1/wecom/jobs/{job_id}", token=admin).json["status"] == "succeeded")


def owned(client: Client, token: str, owner: str) -> set[str]:
    answer = client.get(f"/v1/wecom/groups?owner={owner}", token=token)
    assert answer.status == 200, answer.body
    return {group["chat_id"] for group in answer.json["items"]}


def departs(tenant: str, staff_id: str, manager: str) -> None:
    member(tenant, staff_id, "departed", managers=(manager,))
    left = WeComStaffChanged(
        corp_id=corp_of(tenant),
        staff_id=staff_id,
        name=staff_id,
        status="departed",
        department_ids=[1],
        managers=[manager],
        roles=[],
    )
    deliver(DEPARTURES, tenant, "WeComStaffChanged", left.model_dump(mode="json"), source="siyu.wecom")


def test_a_departure_gives_the_groups_to_the_successor_once(client: Client, tenant: str) -> None:
    admin = ready(client, tenant)
    member(tenant, "mei")
    member(tenant, "ding", managers=("mei",))
    chats = [f"wr{tenant[2:]}g{number}" for number in range(3)]
    synced_groups(client, tenant, admin, dict.fromkeys(chats, "ding") | {f"wr{tenant[2:]}mine": "mei"})
    assert owned(client, admin, "ding") == set(chats)
    gone = chats[2]
    FAKE.group_dismissed(corp_of(tenant), gone)  # at WeCom only: its dismiss callback never came

    departs(tenant, "ding", "mei")
    [departure] = eventually(lambda: client.get("/v1/wecom/transfers?from_staff=ding", token=admin).json["items"])
    done = sent(client, admin, departure["transfer_id"])
    assert (done["status"], done["groups"]) == ("done", {"moved": 2, "failed": 1})
    [call] = calls(client, tenant, DEPARTED_GROUPS)
    assert (sorted(call["body"]["chat_id_list"]), call["body"]["new_owner"]) == (sorted(chats), "mei")

    # The moved groups show the successor, in the listing and through the owner index.
    assert eventually(lambda: owned(client, admin, "mei") == {*chats[:2], f"wr{tenant[2:]}mine"})
    assert owned(client, admin, "ding") == {gone}
    assert client.get(f"/v1/wecom/groups/{chats[0]}", token=admin).json["owner"] == "mei"
    outcomes = transfers.groups(tenant, departure["transfer_id"], None, 50, None).items
    assert {row.chat_id: (row.outcome, row.reason) for row in outcomes} == {
        chats[0]: ("moved", None),
        chats[1]: ("moved", None),
        gone: ("failed", "not_a_customer_group"),
    }
    events = {e["chat_id"]: e for e in published(tenant, "WeComGroupTransferred")}
    assert {chat: (e["outcome"], e["to_staff"]) for chat, e in events.items()} == {
        chats[0]: ("moved", "mei"),
        chats[1]: ("moved", "mei"),
        gone: ("failed", "mei"),
    }

    # The departure delivered again, and the groups' step run again: WeCom is not called again.
    departs(tenant, "ding", "mei")
    job = jobs_dal.get(tenant, departure["job_id"])
    assert job is not None
    assert job.status == "succeeded"
    again = transfers.step(job.model_copy(update={"cursor": "groups|0|"}))
    assert again.finished
    assert len(calls(client, tenant, DEPARTED_GROUPS)) == 1
    assert len(client.get("/v1/wecom/transfers?from_staff=ding", token=admin).json["items"]) == 1
    assert transfers.view(tenant, departure["transfer_id"]).groups.model_dump() == {"moved": 2, "failed": 1}
    assert len(published(tenant, "WeComGroupTransferred")) == 3


def test_a_group_moved_by_a_call_whose_answer_was_lost_is_moved_when_sent_again(client: Client, tenant: str) -> None:
    ready(client, tenant)
    member(tenant, "mei")
    member(tenant, "ding", "departed")
    chat_id = f"wr{tenant[2:]}lost"
    FAKE.script_group(corp_of(tenant), chat_id, "群", "ding")
    transfer = Transfer(
        tenant_id=tenant,
        transfer_id="wt_lost",
        corp_id=corp_of(tenant),
        from_staff="ding",
        to_staff="mei",
        departed=True,
        selection="all",
        job_id="wj_lost",
        created_by="test",
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
    )
    creds = settings.credentials(tenant, corp_of(tenant))
    first = transfers._call_groups(transfer, creds, [chat_id])
    second = transfers._call_groups(transfer, creds, [chat_id])  # WeCom: 90504, mei owns it already
    assert first == second == {chat_id: ("moved", None)}
    assert [call["errcode"] for call in calls(client, tenant, DEPARTED_GROUPS)] == [0, 0]


def test_an_in_service_transfer_moves_no_group(client: Client, tenant: str) -> None:
    admin = ready(client, tenant)
    member(tenant, "anna")
    member(tenant, "bo")
    chat_id = f"wr{tenant[2:]}anna"
    synced_groups(client, tenant, admin, {chat_id: "anna"})
    started = start(client, admin, from_staff="anna", to_staff="bo", all=True)
    done = sent(client, admin, started["transfer_id"])
    assert done["groups"] == {"moved": 0, "failed": 0}
    assert calls(client, tenant, DEPARTED_GROUPS) == calls(client, tenant, IN_SERVICE_GROUPS) == []
    assert owned(client, admin, "anna") == {chat_id}
