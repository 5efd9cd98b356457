"""Outreach's own copy of the contact facts (issue 16: a message's variables, consent, WeCom
friendships and segments are read from it, per recipient): kept from contacts', points' and wecom's
events, whatever their order or repetition. One test drives it through the stack's API; the others
apply constructed events in the orders that go wrong."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local.stack import LocalStack
from services.outreach.dal import facts as dal
from services.outreach.dal.table import table
from services.outreach.logic import facts
from shared import aws
from shared.consumer import AlreadyProcessed
from shared.events import contacts as contact_events
from shared.events import points as points_events
from shared.events import wecom as wecom_events
from tests.unit.conftest import Client, eventually
from tests.unit.test_segments import make_segment

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def event_id() -> str:
    return f"e-{uuid.uuid4().hex}"


def apply(record: Callable[[str, Any, str], None], tenant: str, data: Any, eid: str | None = None) -> None:
    """Deliver one event to the consumer's logic; a repeat of an id is what the consumer ignores."""
    with contextlib.suppress(AlreadyProcessed):
        record(tenant, data, eid or event_id())


def profile(contact_id: str, version: int, **fields: Any) -> contact_events.ContactProfileChanged:
    snapshot = {
        "contact_id": contact_id,
        "version": version,
        "status": "active",
        "name": "王芳",
        "birthday": "1990-05-17",
        "consent": {"wecom": {"marketing": True}},
        "tags": ["VIP"],
        "owners": {"*": "zhangsan"},
        "openids": {"wx-app": "o-1"},
        "external_userids": {"ww1": "wm-1"},
    }
    return contact_events.ContactProfileChanged.model_validate(snapshot | fields)


def gone(contact_id: str, version: int, status: str, merged_into: str | None = None) -> Any:
    empty: dict[str, Any] = {"name": None, "birthday": None, "consent": {}, "tags": [], "owners": {}, "openids": {}}
    return profile(contact_id, version, status=status, merged_into=merged_into, external_userids={}, **empty)


def identified(contact_id: str, staff: str, generation: int, ext: str = "wm-1", **added: Any) -> Any:
    return contact_events.WeComCustomerIdentified.model_validate(
        {
            "contact_id": contact_id,
            "created": False,
            "added": {
                "corp_id": "ww1",
                "staff_id": staff,
                "external_userid": ext,
                "generation": generation,
                "added_at": (T0 + timedelta(minutes=generation)).isoformat(),
            }
            | added,
        }
    )


def removed(staff: str, generation: int, ext: str = "wm-1") -> wecom_events.WeComContactRemoved:
    return wecom_events.WeComContactRemoved(
        corp_id="ww1",
        staff_id=staff,
        external_userid=ext,
        generation=generation,
        removed_by="customer",
        removed_at=T0 + timedelta(hours=generation),
    )


def friends_of(tenant: str, contact_id: str) -> list[tuple[str, int]]:
    found = dal.get(tenant, contact_id)
    return [(friend.staff_id, friend.generation) for friend in found.friends] if found else []


def membership(contact_id: str, at: datetime, entered: list[str] = (), left: list[str] = ()) -> Any:  # type: ignore[assignment]
    return contact_events.SegmentMembershipChanged(
        contact_id=contact_id, entered=list(entered), left=list(left), changed_at=at
    )


def members(tenant: str, segment_id: str) -> list[str]:
    found: list[str] = []
    cursor = None
    while True:
        page, cursor = dal.segment_members_page(tenant, segment_id, 2, cursor)
        found += page
        if cursor is None:
            return found


# Through the stack ---------------------------------------------------------------------------------
def test_contacts_changes_reach_the_facts_and_the_segment_membership(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    body = {
        "name": "王芳",
        "birthday": "1990-05-17",
        "consent": {"wecom": {"marketing": True}},
        "openids": {"wx-app": "o-wang"},
        "tags": ["VIP"],
        "owner": "zhangsan",
    }
    created = client.post("/v1/contacts", json_body=body, token=admin)
    assert created.status == 201, created.body
    contact_id = created.json["contact_id"]
    copied = eventually(lambda: dal.get(tenant, contact_id))
    assert (copied.name, str(copied.birthday), copied.tags, copied.owner) == ("王芳", "1990-05-17", ["VIP"], "zhangsan")
    assert copied.consents_to("wecom")
    assert not copied.consents_to("wechat")
    assert copied.openids == {"wx-app": "o-wang"}

    segment_id = make_segment(client, admin, {"field": "tag", "op": "has", "value": "VIP"})["segment_id"]
    eventually(lambda: dal.segment_size(tenant, segment_id) == 1)
    assert members(tenant, segment_id) == [contact_id]

    assert client.delete(f"/v1/contacts/{contact_id}/tags/VIP", token=admin).status == 200
    eventually(lambda: dal.segment_size(tenant, segment_id) == 0)
    assert members(tenant, segment_id) == []
    assert eventually(lambda: (found := dal.get(tenant, contact_id)) and found.tags == [] and found)

    assert client.delete(f"/v1/contacts/{contact_id}", token=admin).status == 204
    erased = eventually(lambda: (found := dal.get(tenant, contact_id)) and found.status == "erased" and found)
    assert (erased.name, erased.birthday, erased.consent, erased.openids) == (None, None, {}, {})
    assert dal.segment_size(tenant, "never-heard-of") is None


# Applied directly, in the orders that go wrong ---------------------------------------------------------
def test_a_profile_republish_gives_outreach_the_contacts_it_never_saw_and_changes_no_newer_copy(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    made = [client.post("/v1/contacts", json_body={"name": f"客户{n}", "tags": ["VIP"]}, token=admin) for n in range(3)]
    contact_ids = [answer.json["contact_id"] for answer in made]
    eventually(lambda: all(dal.get(tenant, contact_id) for contact_id in contact_ids))
    forgotten, newer = contact_ids[0], contact_ids[1]
    # As if outreach had been deployed after the first contact was made: it has no copy of it.
    key = {"pk": {"S": f"T#{tenant}#FACTS#{forgotten}"}, "sk": {"S": dal.FACTS_SK}}
    aws.client("dynamodb").delete_item(TableName=table(), Key=key)
    apply(facts.record_profile, tenant, profile(newer, 99, name="已在外联更新"))  # a copy newer than contacts'
    for role in ("manager", "agent", "guide"):
        token = client.staff_token(tenant, roles=(role,))
        assert client.post("/v1/contacts/profile-snapshots/republish", token=token).status == 403

    started = client.post("/v1/contacts/profile-snapshots/republish", token=admin)
    assert started.status == 202, started.body
    job_id = started.json["job_id"]
    eventually(lambda: client.get(f"/v1/jobs/{job_id}", token=admin).json["status"] == "succeeded")
    assert client.get(f"/v1/jobs/{job_id}", token=admin).json["progress"]["done"] == 3
    back = eventually(lambda: dal.get(tenant, forgotten))
    assert (back.name, back.tags) == ("客户0", ["VIP"])
    kept = dal.get(tenant, newer)
    assert kept is not None
    assert (kept.name, kept.version) == ("已在外联更新", 99)


def test_an_older_or_repeated_snapshot_changes_nothing_and_leaves_the_other_facts(stack: LocalStack) -> None:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    apply(
        facts.record_balance,
        tenant,
        points_events.PointsAdjusted.model_validate(
            {"contact_id": "c1", "entry_id": "le-002", "balance": 80, "points": 80, "reason": "gift", "actor": "s"}
        ),
    )
    lifecycle = contact_events.ContactLifecycleChanged(
        contact_id="c1", previous_stage="new", stage="active", reason="order", changed_at=T0
    )
    apply(facts.record_lifecycle, tenant, lifecycle)
    newer = event_id()
    apply(facts.record_profile, tenant, profile("c1", 3, name="王芳"), newer)
    apply(facts.record_profile, tenant, profile("c1", 2, name="旧名"))
    apply(facts.record_profile, tenant, profile("c1", 3, name="同版本"))
    with pytest.raises(AlreadyProcessed):
        facts.record_profile(tenant, profile("c1", 4, name="重复"), newer)

    kept = dal.get(tenant, "c1")
    assert kept is not None
    assert (kept.version, kept.name, kept.lifecycle_stage, kept.points_balance) == (3, "王芳", "active", 80)
    older_stage = lifecycle.model_copy(update={"stage": "dormant", "changed_at": T0 - timedelta(days=1)})
    apply(facts.record_lifecycle, tenant, older_stage)
    apply(
        facts.record_balance,
        tenant,
        points_events.RewardRedeemed.model_validate(
            {
                "contact_id": "c1",
                "entry_id": "le-001",
                "balance": 5,
                "redemption_id": "r",
                "reward_id": "w",
                "points": 1,
            }
        ),
    )
    assert (dal.get(tenant, "c1").lifecycle_stage, dal.get(tenant, "c1").points_balance) == ("active", 80)  # type: ignore[union-attr]
    assert dal.get_many(tenant, ["c1", "c-unknown"]).keys() == {"c1"}
    assert list(dal.birthdays(tenant, ["05-17", "05-18"])) == ["c1"]


def test_the_latest_expiry_notice_is_kept_and_a_passed_one_is_not_said(stack: LocalStack) -> None:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    later, sooner = "2026-06-30T16:00:00Z", "2026-05-31T16:00:00Z"
    for points, at in ((40, later), (10, sooner)):
        apply(
            facts.record_expiring, tenant, points_events.PointsExpiring(contact_id="c1", points=points, expires_at=at)
        )
    kept = dal.get(tenant, "c1")
    assert kept is not None
    assert (kept.points_expiring, kept.points_expiring_at) == (40, "2026-06-30T16:00:00.000Z")
    assert facts.expiring_now(kept, datetime(2026, 6, 1, tzinfo=UTC)) == (40, "2026-06-30T16:00:00.000Z")
    assert facts.expiring_now(kept, datetime(2026, 7, 1, tzinfo=UTC)) == (0, None)


def test_a_removal_before_its_add_is_not_undone_by_the_late_add(stack: LocalStack) -> None:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    apply(facts.record_removed, tenant, removed("zhangsan", 1))  # no contact known for wm-1 yet
    apply(facts.record_identified, tenant, identified("c1", "zhangsan", 1))
    assert friends_of(tenant, "c1") == []
    assert dal.contact_of_external_userid(tenant, "ww1", "wm-1") == "c1"

    apply(facts.record_identified, tenant, identified("c1", "zhangsan", 2))  # they became friends again
    apply(facts.record_identified, tenant, identified("c1", "lisi", 1, half=True))  # not accepted yet
    apply(facts.record_removed, tenant, removed("zhangsan", 1))  # a late repeat of the first removal
    assert friends_of(tenant, "c1") == [("zhangsan", 2)]

    apply(facts.record_removed, tenant, removed("lisi", 1))  # lisi's removal, before lisi's add
    apply(facts.record_identified, tenant, identified("c1", "lisi", 1))
    apply(facts.record_identified, tenant, identified("c1", "wangwu", 1))
    apply(facts.record_identified, tenant, identified("c1", "wangwu", 1))  # the add published again
    assert friends_of(tenant, "c1") == [("wangwu", 1), ("zhangsan", 2)]  # earliest added first
    apply(facts.record_removed, tenant, removed("zhangsan", 2))
    assert friends_of(tenant, "c1") == [("wangwu", 1)]


def test_a_merged_alias_hands_its_friendships_to_its_survivor_and_an_erasure_drops_them(
    stack: LocalStack,
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    apply(facts.record_profile, tenant, profile("survivor", 5, external_userids={}))
    apply(facts.record_identified, tenant, identified("alias", "zhangsan", 1, ext="wm-a"))
    apply(facts.record_profile, tenant, gone("alias", 2, "merged", merged_into="survivor"))
    assert friends_of(tenant, "alias") == []
    assert friends_of(tenant, "survivor") == [("zhangsan", 1)]
    alias = dal.get(tenant, "alias")
    assert alias is not None
    assert (alias.status, alias.merged_into, alias.name) == ("merged", "survivor", None)

    apply(facts.record_identified, tenant, identified("alias", "lisi", 1, ext="wm-a"))  # late, for the alias
    apply(facts.record_removed, tenant, removed("zhangsan", 1, ext="wm-a"))  # wm-a still names the alias
    assert friends_of(tenant, "survivor") == [("lisi", 1)]

    assert list(dal.birthdays(tenant, ["05-17"])) == ["survivor"]
    apply(facts.record_profile, tenant, gone("survivor", 6, "erased"))
    assert list(dal.birthdays(tenant, ["05-17"])) == []
    erased = dal.get(tenant, "survivor")
    assert erased is not None
    assert (erased.status, erased.name, erased.consent, erased.friends, erased.external_userids) == (
        "erased",
        None,
        {},
        [],
        {},
    )
    assert dal.contact_of_external_userid(tenant, "ww1", "wm-a") is None  # lisi's add pointed it at the survivor
    apply(facts.record_identified, tenant, identified("survivor", "wangwu", 1, ext="wm-b"))
    assert friends_of(tenant, "survivor") == []
    assert dal.contact_of_external_userid(tenant, "ww1", "wm-b") is None


def test_segment_counts_stay_exact_under_repeats_late_events_and_races(stack: LocalStack) -> None:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    entered = membership("c1", T0, entered=["sg-a", "sg-b"])
    apply(facts.record_memberships, tenant, entered)
    apply(facts.record_memberships, tenant, entered)  # published again: a new id, the same change
    apply(facts.record_memberships, tenant, membership("c1", T0 - timedelta(minutes=1), left=["sg-a"]))  # late
    assert (dal.segment_size(tenant, "sg-a"), dal.segment_size(tenant, "sg-b")) == (1, 1)
    apply(facts.record_memberships, tenant, membership("c1", T0 + timedelta(minutes=1), left=["sg-a"]))
    assert (dal.segment_size(tenant, "sg-a"), members(tenant, "sg-a"), members(tenant, "sg-b")) == (0, [], ["c1"])

    # Twelve contacts enter at once while c1 enters and leaves in four racing events.
    deliveries = [membership(f"r{n:02d}", T0, entered=["sg-a"]) for n in range(12)]
    deliveries += [
        membership(
            "c1", T0 + timedelta(minutes=minute), **({"entered": ["sg-a"]} if minute % 2 else {"left": ["sg-a"]})
        )
        for minute in (2, 3, 4, 5)
    ]
    failures: list[BaseException] = []

    def deliver(data: Any) -> None:
        try:
            apply(facts.record_memberships, tenant, data)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=deliver, args=(data,)) for data in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    current = members(tenant, "sg-a")
    assert current == ["c1", *[f"r{n:02d}" for n in range(12)]]  # c1's latest change (minute 5) entered
    assert dal.segment_size(tenant, "sg-a") == 13


def test_staff_names_follow_the_latest_directory_change(stack: LocalStack) -> None:
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    sample = {
        "corp_id": "ww1",
        "staff_id": "zhangsan",
        "status": "active",
        "department_ids": [1],
        "managers": [],
        "roles": [],
    }
    renamed = wecom_events.WeComStaffChanged.model_validate(sample | {"name": "张三丰"})
    facts.record_staff(tenant, renamed, T0, event_id())
    facts.record_staff(tenant, renamed.model_copy(update={"name": "张三"}), T0 - timedelta(hours=1), event_id())
    assert dal.staff_names(tenant, ["zhangsan", "nobody"]) == {"zhangsan": "张三丰"}
    departed = sample | {"staff_id": "lisi", "name": "李四", "status": "departed"}
    facts.record_staff(tenant, wecom_events.WeComStaffChanged.model_validate(departed), T0, event_id())
    assert dal.staff_corps(tenant, ["zhangsan", "lisi", "nobody"]) == {"zhangsan": "ww1"}
