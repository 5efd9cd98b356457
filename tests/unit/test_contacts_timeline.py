"""The contact timeline: every fact about a contact from every service lands
once on ``GET /v1/contacts/{id}/timeline``, newest first, from contacts' own copy of the events.

Events travel over the in-process bus as in production (``publish_at`` sets their time and id);
``deliver`` hands one straight to the consumer when a test decides the repeats."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.contacts.dal import contacts as dal
from services.contacts.logic import timeline
from services.contacts.models import TimelineEntry
from shared import aws
from shared.errors import ConcurrentUpdate
from shared.settings import get_settings
from tests.unit.conftest import Client, eventually
from tests.unit.test_merge_followers import deliver

HANDLER = "services.contacts.handlers.timeline.handler"


def moment(minutes_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat(timespec="milliseconds")


def publish_at(
    tenant: str, source: str, detail_type: str, data: dict[str, Any], occurred_at: str, event_id: str | None = None
) -> str:
    """An event on the bus with its time and id: every subscribed consumer gets it."""
    event_id = event_id or f"evt-{uuid.uuid4().hex}"
    detail = {
        "metadata": {
            "event_id": event_id,
            "event_version": 1,
            "tenant_id": tenant,
            "occurred_at": occurred_at,
            "correlation_id": "timeline-test",
        },
        "data": data,
    }
    entry = {
        "EventBusName": get_settings().event_bus_name,
        "Source": source,
        "DetailType": detail_type,
        "Detail": json.dumps(detail),
    }
    assert aws.client("events").put_events(Entries=[entry])["FailedEntryCount"] == 0
    return event_id


def read(client: Client, token: str, contact_id: str, query: str = "") -> Any:
    answer = client.get(f"/v1/contacts/{contact_id}/timeline{query}", token=token)
    assert answer.status == 200, answer.body
    return answer.json


def types_of(client: Client, token: str, contact_id: str, query: str = "") -> list[str]:
    return [entry["type"] for entry in read(client, token, contact_id, query)["items"]]


def every_page(client: Client, token: str, contact_id: str, query: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(50):
        page = read(client, token, contact_id, f"?{query}{cursor}")
        found += page["items"]
        if page["next_cursor"] is None:
            return found
        cursor = f"&cursor={page['next_cursor']}"
    raise AssertionError("the pages never end")


def create(client: Client, token: str, **fields: Any) -> str:
    answer = client.post("/v1/contacts", json_body=fields, token=token)
    assert answer.status == 201, answer.body
    return str(answer.json["contact_id"])


def points_awarded(contact_id: str, points: int = 10) -> dict[str, Any]:
    return {
        "contact_id": contact_id,
        "entry_id": f"le-{uuid.uuid4().hex[:8]}",
        "balance": points,
        "points": points,
        "lifetime_earned": points,
        "reason": "checkin",
        "source": f"checkin:{uuid.uuid4().hex[:8]}",
    }


def case_event(contact_id: str | None, case_id: str, **fields: Any) -> dict[str, Any]:
    return {"case_id": case_id, "contact_id": contact_id, **fields}


def test_a_members_facts_from_every_service_land_once_newest_first_filtered_and_paged(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    member = client.member_login(tenant, "dev:o-timeline")
    contact_id = member["contact_id"]
    eventually(lambda: types_of(client, admin, contact_id) == ["MemberLoggedIn", "ContactCreated"])

    # A scan and the conversion it earned (campaigns), the points it paid (points, for real).
    scan_id = f"sc-{uuid.uuid4().hex[:10]}"
    scan = {"scan_id": scan_id, "contact_id": contact_id, "campaign_id": "cp-1", "code": "k1", "channel": "poster"}
    publish_at(tenant, "siyu.campaigns", "QrCodeScanned", {**scan, "scanned_at": moment(50)}, moment(50))
    conversion = {
        **scan,
        "conversion_id": f"cv-{scan_id}",
        "kind": "acquisition",
        "points": 30,
        "rewarded": True,
    }
    publish_at(tenant, "siyu.campaigns", "CampaignConversionRecorded", conversion, moment(40))
    eventually(lambda: "PointsAwarded" in types_of(client, admin, contact_id))
    # A case opened, moved along (not a fact), resolved and rated (cases); one about nobody.
    case = f"cs-{uuid.uuid4().hex[:8]}"
    opened = {"type": "complaint", "priority": "high", "intake": "member", "queue_id": None, "brand": "acme"}
    publish_at(tenant, "siyu.cases", "CaseOpened", case_event(contact_id, case, **opened), moment(30))
    moves = {"actor_kind": "staff", "actor_id": "s1", "reason": None}
    publish_at(
        tenant,
        "siyu.cases",
        "CaseStatusChanged",
        case_event(contact_id, case, from_status="new", to_status="in_progress", **moves),
        moment(25),
    )
    publish_at(
        tenant,
        "siyu.cases",
        "CaseStatusChanged",
        case_event(contact_id, case, from_status="in_progress", to_status="resolved", **moves),
        moment(20),
    )
    publish_at(
        tenant,
        "siyu.cases",
        "CaseRated",
        case_event(contact_id, case, rating=4, resolution=1, reopened=False),
        moment(10),
    )
    publish_at(tenant, "siyu.cases", "CaseOpened", case_event(None, "cs-nobody", **opened), moment(9))
    # A tag given by staff (contacts), now.
    eventually(lambda: "CaseRated" in types_of(client, admin, contact_id))
    assert client.put(f"/v1/contacts/{contact_id}/tags/VIP", token=admin).status == 200

    expected = [
        "ContactTagged",
        "PointsAwarded",
        "MemberLoggedIn",
        "ContactCreated",
        "CaseRated",
        "CaseStatusChanged",
        "CaseOpened",
        "CampaignConversionRecorded",
        "QrCodeScanned",
    ]
    eventually(lambda: types_of(client, admin, contact_id) == expected)
    items = read(client, admin, contact_id)["items"]
    assert [i["occurred_at"] for i in items] == sorted((i["occurred_at"] for i in items), reverse=True)
    by_type = {i["type"]: i for i in items}
    assert by_type["QrCodeScanned"]["event_id"] == scan_id
    assert by_type["QrCodeScanned"]["summary"]["acquired"] is True
    assert by_type["PointsAwarded"]["source"] == "siyu.points"
    assert by_type["PointsAwarded"]["summary"]["points"] == 30
    assert by_type["CaseStatusChanged"]["summary"]["to_status"] == "resolved"
    assert by_type["CaseRated"]["summary"] == {"case_id": case, "rating": 4, "resolution": 1, "reopened": False}
    assert by_type["ContactTagged"]["summary"] == {"tag": "VIP"}
    assert by_type["MemberLoggedIn"]["summary"] == {"app_id": "wx-app", "kind": "mini_program"}
    assert "o-timeline" not in json.dumps(items)  # never an identity value

    # Filtered (comma-separated or repeated), and paged with or without a filter.
    cases = ["CaseRated", "CaseOpened"]
    assert types_of(client, admin, contact_id, "?types=CaseOpened,CaseRated") == cases
    assert types_of(client, admin, contact_id, "?types=CaseOpened&types=CaseRated") == cases
    assert [i["type"] for i in every_page(client, admin, contact_id, "types=CaseOpened,CaseRated&limit=1")] == cases
    assert every_page(client, admin, contact_id, "limit=2") == items

    # The member signs in again (a new code): a new fact; the same request repeated is not.
    assert client.member_login(tenant, "dev:o-timeline:u-timeline")["contact_id"] == contact_id
    client.member_login(tenant, "dev:o-timeline:u-timeline")
    assert types_of(client, admin, contact_id, "?types=MemberLoggedIn") == ["MemberLoggedIn", "MemberLoggedIn"]


def test_an_event_delivered_again_lands_once(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = create(client, admin, name="twice")
    event_id = f"evt-{uuid.uuid4().hex}"
    award = points_awarded(contact_id)
    for _ in range(3):
        deliver(HANDLER, tenant, "PointsAwarded", award, source="siyu.points", event_id=event_id)
    publish_at(tenant, "siyu.points", "PointsAwarded", award, "2026-11-22T00:00:00Z", event_id)
    later = publish_at(tenant, "siyu.points", "PointsAwarded", points_awarded(contact_id, 5), moment(0))
    eventually(lambda: later in [i["event_id"] for i in read(client, admin, contact_id)["items"]])
    found = [i["event_id"] for i in read(client, admin, contact_id, "?types=PointsAwarded")["items"]]
    assert found == [later, event_id]


def test_orders_paid_and_refunded_reach_the_buyer_however_the_partner_named_them(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    known = create(client, admin, name="buyer")
    paid = {"order_id": "o-1", "contact_id": known, "amount_fen": 12_300, "brand": "acme"}
    # ``deliver`` gives every event one time: the event id then orders them.
    deliver(HANDLER, tenant, "OrderPaid", paid, source="partner.shop", event_id=f"e1-{uuid.uuid4().hex}")
    refund = {"order_id": "o-1", "refund_id": "r-1", "amount_fen": 2_300}
    deliver(HANDLER, tenant, "OrderRefunded", refund, source="partner.shop", event_id=f"e2-{uuid.uuid4().hex}")
    items = read(client, admin, known, "?types=OrderPaid,OrderRefunded")["items"]
    assert [(i["type"], i["summary"]["amount_fen"], i["summary"]["partner"]) for i in items] == [
        ("OrderRefunded", 2_300, "partner.shop"),
        ("OrderPaid", 12_300, "partner.shop"),
    ]

    # By an identity: contacts finds (here creates) the buyer, and the refund follows.
    by_phone = {
        "order_id": "o-2",
        "identity": {"kind": "phone", "value": "13900000077"},
        "amount_fen": 500,
        "brand": "acme",
    }
    publish_at(tenant, "partner.shop", "OrderPaid", by_phone, moment(1))
    buyer = eventually(lambda: client.get("/v1/contacts?phone=13900000077", token=admin).json["items"])[0]
    eventually(lambda: "OrderPaid" in types_of(client, admin, buyer["contact_id"]))
    publish_at(
        tenant, "partner.shop", "OrderRefunded", {"order_id": "o-2", "refund_id": "r-2", "amount_fen": 500}, moment(0)
    )
    eventually(lambda: "OrderRefunded" in types_of(client, admin, buyer["contact_id"]))
    assert "13900000077" not in json.dumps(read(client, admin, buyer["contact_id"]))

    # A refund of an order contacts has not seen paid yet waits (retried, as points does).
    handler = timeline_handler()
    record = {"messageId": "m-1", "body": body(tenant, "partner.shop", "OrderRefunded", {**refund, "order_id": "o-9"})}
    assert handler({"Records": [record]}, None) == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}


def timeline_handler() -> Any:
    from services.contacts.handlers.timeline import handler

    return handler


def body(tenant: str, source: str, detail_type: str, data: dict[str, Any]) -> str:
    from tests.unit.test_merge_followers import event_body

    return event_body(source, detail_type, tenant, data)


def test_facts_of_an_alias_land_on_its_survivor_and_a_merge_combines_the_timelines(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    older = create(client, admin, name="older")
    newer = create(client, admin, name="newer")
    deliver(HANDLER, tenant, "PointsAwarded", points_awarded(older), source="siyu.points")
    for minutes in (30, 20):
        publish_at(tenant, "siyu.points", "PointsAwarded", points_awarded(newer), moment(minutes))
    eventually(lambda: types_of(client, admin, newer).count("PointsAwarded") == 2)
    eventually(lambda: "ContactCreated" in types_of(client, admin, older))
    before_older = read(client, admin, older)["items"]
    before_newer = read(client, admin, newer)["items"]

    merged = client.post(
        f"/v1/contacts/{newer}/merge", json_body={"from_contact_id": older, "reason": "same person"}, token=admin
    )
    assert merged.status == 200, merged.body
    assert merged.json["contact_id"] == older

    def combined() -> list[dict[str, Any]]:
        items = read(client, admin, older)["items"]
        return items if len(items) == len(before_older) + len(before_newer) + 1 else []

    items = eventually(combined)
    assert {i["event_id"] for i in items} >= {i["event_id"] for i in before_older + before_newer}
    assert [i["type"] for i in items].count("ContactsMerged") == 1
    assert [i["occurred_at"] for i in items] == sorted((i["occurred_at"] for i in items), reverse=True)
    # The alias's id answers the survivor's timeline.
    assert read(client, admin, newer)["items"] == items
    # Nothing is written under an alias: a write raced by the merge is refused, to be resolved again.
    with pytest.raises(ConcurrentUpdate):
        dal.record_fact(tenant, newer, TimelineEntry.model_validate(items[0]))

    # A fact about the alias now lands on the survivor, once, even delivered twice.
    event_id = f"evt-{uuid.uuid4().hex}"
    for _ in range(2):
        deliver(HANDLER, tenant, "TierChanged", tier(newer), source="siyu.points", event_id=event_id)
    assert [i["event_id"] for i in read(client, admin, older, "?types=TierChanged")["items"]] == [event_id]
    # The merge delivered again copies nothing twice.
    merge_event = {"contact_id": older, "merged_contact_id": newer, "version": 9}
    deliver(HANDLER, tenant, "ContactsMerged", merge_event)
    assert len(read(client, admin, older)["items"]) == len(items) + 2  # the tier, and this merge event


def tier(contact_id: str) -> dict[str, Any]:
    return {"contact_id": contact_id, "previous_tier": None, "tier": "gold", "earned_in_window": 1000}


def test_a_long_timeline_is_copied_over_several_deliveries(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = client.staff_token(tenant)
    survivor = create(client, admin, name="survivor")
    alias = create(client, admin, name="alias")
    for _ in range(5):
        deliver(HANDLER, tenant, "TierChanged", tier(alias), source="siyu.points")
    eventually(lambda: len(read(client, admin, alias)["items"]) == 6)  # and ContactCreated
    monkeypatch.setattr(timeline, "COPY_PAGE", 2)
    monkeypatch.setattr(timeline, "COPY_PAGES", 1)
    unfinished = 0
    for _ in range(10):  # each delivery copies a page; the next resumes where it stopped
        try:
            timeline.follow_merge(tenant, survivor, [alias])
            break
        except timeline.CopyUnfinished:
            unfinished += 1
            assert len(read(client, admin, survivor)["items"]) == 1 + 2 * unfinished
    assert unfinished >= 2
    copied = [i for i in read(client, admin, survivor)["items"] if i["type"] == "TierChanged"]
    assert len(copied) == 5


def test_guides_read_only_their_customers_timelines(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    guide = client.staff_token(tenant, staff="g-1", roles=("guide",))
    mine = create(client, admin, name="mine", owner="g-1")
    theirs = create(client, admin, name="theirs", owner="g-2")
    eventually(lambda: types_of(client, guide, mine) == ["ContactCreated"])
    assert client.get(f"/v1/contacts/{theirs}/timeline", token=guide).status == 404


def test_bad_types_are_refused_with_their_place_and_change_nothing(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = create(client, admin, name="x")
    eventually(lambda: types_of(client, admin, contact_id))
    before = read(client, admin, contact_id)
    answer = client.get(f"/v1/contacts/{contact_id}/timeline?types=CaseOpened,Nonsense", token=admin)
    assert answer.status == 422
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert [e["loc"] for e in answer.json["errors"]] == [["query", "types", "1"]]
    assert client.get(f"/v1/contacts/{contact_id}/timeline?limit=0", token=admin).status == 422
    assert client.get(f"/v1/contacts/{contact_id}/timeline?cursor=bogus", token=admin).status == 400
    assert read(client, admin, contact_id) == before


def test_tenants_never_see_each_others_timelines(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    contact_id = create(client, admin, name="mine")
    other = f"{tenant}-other"
    stranger = client.staff_token(other)
    assert client.get(f"/v1/contacts/{contact_id}/timeline", token=stranger).status == 404
    # An event of another tenant naming this contact's id lands nowhere.
    deliver(HANDLER, other, "TierChanged", tier(contact_id), source="siyu.points")
    eventually(lambda: types_of(client, admin, contact_id) == ["ContactCreated"])
    assert "TierChanged" not in types_of(client, admin, contact_id)
