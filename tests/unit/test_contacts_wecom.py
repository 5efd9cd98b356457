"""WeCom customers on the contacts side: wecom's WeComContactAdded / WeComContactRemoved resolve
or create the contact (per-corp external_userid, unionid), set its owner, land on its timeline and
move its lifecycle, once each however they are delivered; WeComCustomerIdentified answers an add.

Events are handed straight to the consumer (as its queue would), so each test decides the order
and the repeats; what contacts publishes is read from its outbox."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from services.contacts.dal import contacts as dal
from services.contacts.dal import insight as insight_dal
from services.contacts.logic import insight
from services.contacts.models import Insight, WeComFriendship
from services.contacts.service import WECOM_CONSUMER
from shared.clock import rfc3339, utc_now
from tests.unit.conftest import Client
from tests.unit.test_contacts_merge import published
from tests.unit.test_merge_followers import deliver

CORP, OTHER_CORP = "ww-brand-a", "ww-brand-b"


def moment(minutes_ago: int) -> str:
    return rfc3339(utc_now() - timedelta(minutes=minutes_ago))


def added(external_userid: str = "wm-1", staff_id: str = "g1", generation: int = 1, **more: Any) -> dict[str, Any]:
    return {
        "corp_id": CORP,
        "staff_id": staff_id,
        "external_userid": external_userid,
        "generation": generation,
        "added_at": moment(10),
        **more,
    }


def removed(by: str, external_userid: str = "wm-1", staff_id: str = "g1", generation: int = 1) -> dict[str, Any]:
    return {
        "corp_id": CORP,
        "staff_id": staff_id,
        "external_userid": external_userid,
        "generation": generation,
        "removed_by": by,
        "removed_at": moment(5),
    }


def send(tenant: str, detail_type: str, data: dict[str, Any], event_id: str | None = None) -> None:
    deliver(WECOM_CONSUMER.handler, tenant, detail_type, data, source="siyu.wecom", event_id=event_id)


def holder(tenant: str, external_userid: str = "wm-1", corp: str = CORP) -> str:
    found = dal.find_by_identity(tenant, f"external_userid:{corp}", external_userid)
    assert found is not None
    return found


def entries(tenant: str, contact_id: str, kind: str) -> list[dict[str, Any]]:
    found, _ = dal.timeline_page(tenant, contact_id, 50, None, [kind])
    return [entry.model_dump() for entry in found]


def stage(tenant: str, contact_id: str) -> str:
    found = insight_dal.get(tenant, contact_id)
    assert found is not None
    return found.lifecycle


def test_an_add_creates_the_customer_owned_by_the_staff_member_once(client: Client, tenant: str) -> None:
    """Created with its per-corp identity and WeCom name, owned by the adding staff member, the add
    on its timeline, WeComCustomerIdentified published: once for the event delivered twice and the
    same add published again as a new event. A later add by another staff member keeps the owner."""
    add = added(unionid="u-1", name="王芳", state="c0de1", add_way=1)
    send(tenant, "WeComContactAdded", add, event_id="evt-add-1")
    send(tenant, "WeComContactAdded", add, event_id="evt-add-1")  # redelivered
    send(tenant, "WeComContactAdded", add)  # the same add as a new event (wecom's own retry)
    contact_id = holder(tenant)
    contact = dal.get(tenant, contact_id)
    assert contact is not None
    assert (contact.name, contact.owners) == ("王芳", {"*": "g1"})
    assert contact.identities.external_userids == {CORP: "wm-1"}
    assert contact.identities.unionid == "u-1"
    identified = published(tenant, "WeComCustomerIdentified")
    assert [(event["contact_id"], event["created"], event["added"]["state"]) for event in identified] == [
        (contact_id, True, "c0de1")
    ]
    assert len(published(tenant, "ContactCreated")) == 1
    [entry] = entries(tenant, contact_id, "WeComContactAdded")
    assert entry["summary"] == {
        "corp_id": CORP,
        "staff_id": "g1",
        "generation": 1,
        "state": "c0de1",
        "add_way": 1,
        "half": False,
    }
    assert entry["occurred_at"] == add["added_at"]

    send(tenant, "WeComContactAdded", added(staff_id="g2"))
    assert dal.get(tenant, contact_id).owners == {"*": "g1"}  # type: ignore[union-attr]
    assert published(tenant, "ContactOwnerChanged") == []
    assert [event["created"] for event in published(tenant, "WeComCustomerIdentified")] == [True, False]
    # The API's identity filter finds the customer by its external_userid, whatever the corp.
    admin = client.staff_token(tenant)
    listed = client.get("/v1/contacts?external_userid=wm-1", token=admin).json["items"]
    assert [item["contact_id"] for item in listed] == [contact_id]


def test_a_half_add_sets_no_owner_and_its_acceptance_does(tenant: str) -> None:
    send(tenant, "WeComContactAdded", added(half=True))
    contact_id = holder(tenant)
    assert dal.get(tenant, contact_id).owners == {}  # type: ignore[union-attr]
    send(tenant, "WeComContactAdded", added())  # accepted: the same generation, no longer half
    assert dal.get(tenant, contact_id).owners == {"*": "g1"}  # type: ignore[union-attr]
    assert [event["owner"] for event in published(tenant, "ContactOwnerChanged")] == ["g1"]
    halves = [entry["summary"]["half"] for entry in entries(tenant, contact_id, "WeComContactAdded")]
    assert sorted(halves) == [False, True]


def test_one_person_in_two_corps_is_one_contact(tenant: str) -> None:
    send(tenant, "WeComContactAdded", added(external_userid="wm-a", unionid="u-9"))
    send(tenant, "WeComContactAdded", added(external_userid="wm-b", unionid="u-9") | {"corp_id": OTHER_CORP})
    contact_id = holder(tenant, "wm-a")
    assert holder(tenant, "wm-b", OTHER_CORP) == contact_id
    contact = dal.get(tenant, contact_id)
    assert contact is not None
    assert contact.identities.external_userids == {CORP: "wm-a", OTHER_CORP: "wm-b"}
    assert [event["created"] for event in published(tenant, "WeComCustomerIdentified")] == [True, False]


def test_the_customer_removing_their_only_staff_member_churns_them_until_a_new_add(tenant: str) -> None:
    send(tenant, "WeComContactAdded", added())
    contact_id = holder(tenant)
    assert stage(tenant, contact_id) == "new"
    send(tenant, "WeComContactRemoved", removed("customer"))
    send(tenant, "WeComContactRemoved", removed("customer"))  # the same removal again
    assert stage(tenant, contact_id) == "churned"
    [change] = published(tenant, "ContactLifecycleChanged")
    assert (change["previous_stage"], change["stage"], change["reason"]) == ("new", "churned", "wecom_removed")
    [entry] = entries(tenant, contact_id, "WeComContactRemoved")
    assert entry["summary"] == {"corp_id": CORP, "staff_id": "g1", "generation": 1, "removed_by": "customer"}

    send(tenant, "WeComContactAdded", added(generation=2) | {"added_at": moment(1)})  # friends again
    assert stage(tenant, contact_id) == "new"


def test_a_removal_by_staff_does_not_churn(tenant: str) -> None:
    send(tenant, "WeComContactAdded", added())
    contact_id = holder(tenant)
    send(tenant, "WeComContactRemoved", removed("staff"))
    assert stage(tenant, contact_id) == "new"
    assert len(entries(tenant, contact_id, "WeComContactRemoved")) == 1
    assert published(tenant, "ContactLifecycleChanged") == []


def test_a_removal_before_its_add_leaves_the_friendship_ended(tenant: str) -> None:
    """The removal overtakes its add: the customer is remembered (created), churned, and the add
    arriving after turns nothing back on: no flip-flop of the stage."""
    send(tenant, "WeComContactRemoved", removed("customer"))
    contact_id = holder(tenant)
    assert stage(tenant, contact_id) == "churned"
    send(tenant, "WeComContactAdded", added(name="王芳"))
    assert holder(tenant) == contact_id
    assert stage(tenant, contact_id) == "churned"
    found = insight_dal.get(tenant, contact_id)
    assert found is not None
    assert found.wecom_friends == {"g1@" + CORP: WeComFriendship(generation=1, active=False)}
    assert [event["stage"] for event in published(tenant, "ContactLifecycleChanged")] == ["churned"]


def test_merged_friendships_keep_the_latest_of_each_and_churn_only_with_none_on() -> None:
    def of(contact_id: str, lost: str | None, **friends: tuple[int, bool]) -> Insight:
        return Insight(
            tenant_id="t",
            contact_id=contact_id,
            wecom_lost_at=lost,
            wecom_friends={key: WeComFriendship(generation=g, active=on) for key, (g, on) in friends.items()},
        )

    rules = insight_dal.settings(f"t-{uuid.uuid4().hex[:8]}")[1]
    lost = of("a", "2026-11-01T00:00:00Z", g1=(1, False))
    kept = insight.folded(lost, of("b", None, g1=(1, True), g2=(2, True)), rules)
    assert kept.wecom_friends == {
        "g1": WeComFriendship(generation=1, active=False),
        "g2": WeComFriendship(generation=2, active=True),
    }
    assert kept.wecom_lost_at is None
    both_lost = insight.folded(lost, of("b", "2026-11-02T00:00:00Z", g1=(2, False)), rules)
    assert (both_lost.wecom_friends["g1"].generation, both_lost.wecom_lost_at) == (2, "2026-11-02T00:00:00Z")
    assert insight.wecom_churned(both_lost)
