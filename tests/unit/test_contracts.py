"""Contracts between services: declared routes have handlers, published events have schemas that
match the committed files, and every subscription matches exactly the events it handles."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from moto.events.models import EventPattern

from services.registry import SERVICES
from shared.events.catalog import CONTRACTS, Contract
from shared.events.export import rendered
from shared.manifest import resolve_handler

ROOT = Path(__file__).resolve().parents[2]

SAMPLES: dict[str, dict[str, Any]] = {
    "ContactCreated": {
        "contact_id": "c",
        "version": 1,
        "identity_kinds": ["phone"],
        "tags": [],
        "owners": {},
    },
    "ContactUpdated": {"contact_id": "c", "version": 2, "changed": ["name", "phone"]},
    "ContactProfileChanged": {
        "contact_id": "c",
        "version": 3,
        "status": "active",
        "name": "王芳",
        "birthday": "1990-05-17",
        "consent": {"wecom": {"marketing": True}},
        "tags": ["vip"],
        "owners": {"*": "zhangsan"},
        "openids": {"wx-app": "o-1"},
        "external_userids": {"ww1": "wm-1"},
    },
    "ContactTagged": {"contact_id": "c", "version": 2, "tag": "vip"},
    "ContactUntagged": {"contact_id": "c", "version": 3, "tag": "vip"},
    "ContactOwnerChanged": {
        "contact_id": "c",
        "version": 2,
        "brand": "*",
        "previous_owner": None,
        "owner": "s",
    },
    "ContactErased": {"contact_id": "c", "version": 4},
    "ContactsMerged": {"contact_id": "c", "version": 5, "merged_contact_id": "d"},
    "ChannelSenderSeen": {
        "channel": {"kind": "wechat_official_account", "app_id": "wx", "openid": "o"},
        "unionid": "u",
    },
    "ChannelSenderIdentified": {
        "channel": {"kind": "wechat_official_account", "app_id": "wx", "openid": "o"},
        "contact_id": "c",
    },
    "ContactsJobStepped": {"job_id": "job_1", "kind": "contacts_import", "step": 0},
    "ContactExportRequested": {"job_id": "job_1", "contact_id": "c", "merged_from": ["d"]},
    "WeComCustomerRemoved": {
        "contact_id": "c",
        "removed": {
            "corp_id": "ww1",
            "staff_id": "zhangsan",
            "external_userid": "wm1",
            "generation": 1,
            "removed_by": "customer",
            "removed_at": "2026-12-01T00:00:00Z",
        },
    },
    "ReferralRewardReversed": {
        "reward_id": "cp1:stage1:c1",
        "campaign_id": "cp1",
        "contact_id": "c1",
        "invitee_id": "c2",
        "points": 100,
        "reason": "deleted_staff",
    },
    "WeComCustomerIdentified": {
        "contact_id": "c",
        "created": True,
        "added": {
            "corp_id": "ww1",
            "staff_id": "zhangsan",
            "external_userid": "wm1",
            "generation": 1,
            "state": "c1",
            "added_at": "2026-12-01T00:00:00Z",
        },
    },
    "WeComCallbackReceived": {
        "callback_id": "digest",
        "corp_id": "ww1",
        "kind": "change_external_contact/add_external_contact",
        "created_at": "2026-12-01T00:00:00Z",
        "fields": {"UserID": "zhangsan", "ExternalUserID": "wm1"},
    },
    "WeComContactAdded": {
        "corp_id": "ww1",
        "staff_id": "zhangsan",
        "external_userid": "wm1",
        "generation": 1,
        "added_at": "2026-12-01T00:00:00Z",
    },
    "WeComContactRemoved": {
        "corp_id": "ww1",
        "staff_id": "zhangsan",
        "external_userid": "wm1",
        "generation": 1,
        "removed_by": "customer",
        "removed_at": "2026-12-01T00:00:00Z",
    },
    "WeComStaffChanged": {
        "corp_id": "ww1",
        "staff_id": "zhangsan",
        "name": "张三",
        "status": "active",
        "department_ids": [1],
        "managers": ["lisi"],
        "roles": ["guide"],
    },
    "WeComJobStepped": {"job_id": "wj_1", "kind": "directory_sync", "step": 0},
    "WeComStaffSucceeded": {"corp_id": "ww1", "staff_id": "zhangsan", "successor_id": "lisi", "transfer_id": "tr_1"},
    "WeComCustomerTransferred": {
        "transfer_id": "tr_1",
        "corp_id": "ww1",
        "external_userid": "wm1",
        "from_staff": "zhangsan",
        "to_staff": "lisi",
        "outcome": "skipped",
        "reason": "transfer_limit",
    },
    "WeComMassMessageCreated": {
        "broadcast_id": "b1",
        "dispatch_id": "b1#zhangsan",
        "staff_id": "zhangsan",
        "outcome": "created",
        "msgid": "msg1",
        "rejected": 2,
    },
    "WeComMassMessageProgressed": {
        "broadcast_id": "b1",
        "dispatch_id": "b1#zhangsan",
        "staff_id": "zhangsan",
        "msgid": "msg1",
        "task_status": "confirmed",
        "delivered": 10,
        "failed": 1,
        "unsent": 0,
        "polled_at": "2026-12-01T02:00:00Z",
        "final": True,
    },
    "BroadcastDispatched": {
        "broadcast_id": "b1",
        "dispatch_id": "b1#zhangsan",
        "corp_id": "ww1",
        "staff_id": "zhangsan",
        "chat_type": "single",
        "recipients_key": "outreach/dispatches/t1/b1/zhangsan.json",
        "recipients": 120,
        "content": {"text": "双十二会员日 积分翻倍", "links": [{"title": "活动", "url": "https://example.com/a"}]},
    },
    "BroadcastStepped": {"broadcast_id": "b1", "step": 3},
    "JourneyTagDecided": {
        "decision_id": "jr1#1#c1#1#tag",
        "journey_id": "jr1",
        "contact_id": "c1",
        "tag": "winback",
        "action": "add",
    },
    "InviteeQualified": {
        "campaign_id": "cp1",
        "inviter_id": "c1",
        "invitee_id": "c2",
        "action": "phone_bound",
        "counted": True,
        "qualified": 3,
        "qualified_at": "2026-12-01T01:00:00Z",
    },
    "ReferralRewardEarned": {
        "reward_id": "cp1:stage1:c1",
        "campaign_id": "cp1",
        "contact_id": "c1",
        "kind": "stage",
        "stage": 1,
        "invitee_id": "c2",
        "points": 100,
    },
    "KocIdentified": {"contact_id": "c1", "downstream": 12, "score": 48.5, "identified_at": "2026-12-01T01:00:00Z"},
    "JourneyPointsGranted": {"grant_id": "jr1#1#c1#1#gift", "journey_id": "jr1", "contact_id": "c1", "points": 100},
    "StaffTaskChanged": {
        "task_id": "tk1",
        "staff_id": "zhangsan",
        "contact_id": "c1",
        "status": "open",
        "due_at": "2026-12-02T01:00:00Z",
        "changed_at": "2026-12-01T01:00:00Z",
    },
    "BroadcastStatusChanged": {"broadcast_id": "b1", "status": "sending", "changed_at": "2026-12-01T01:00:00Z"},
    "OutreachMessageSent": {
        "message_id": "b1#c1",
        "contact_id": "c1",
        "channel": "wechat_template",
        "template_id": "tpl1",
        "origin": "broadcast",
        "origin_id": "b1",
        "sent_at": "2026-12-01T01:00:00Z",
    },
    "WeComGroupTransferred": {
        "transfer_id": "tr_1",
        "corp_id": "ww1",
        "chat_id": "wr1",
        "from_staff": "zhangsan",
        "to_staff": "lisi",
        "outcome": "failed",
        "reason": "not_a_customer_group",
    },
    "WeComGroupMembersChanged": {
        "corp_id": "ww1",
        "chat_id": "wr1",
        "owner": "zhangsan",
        "joined": ["wm1"],
        "left": [],
        "changed_at": "2026-12-01T00:00:00Z",
    },
    "WeComChurnAlerted": {
        "corp_id": "ww1",
        "staff_id": "zhangsan",
        "external_userid": "wm1",
        "generation": 1,
        "recipients": ["zhangsan"],
    },
    "PointsExportPartWritten": {"job_id": "job_1", "contact_id": "c", "key": "points/exports/t/job_1.json", "items": 3},
    "CasesExportPartWritten": {"job_id": "job_1", "contact_id": "c", "key": "cases/exports/t/job_1.json", "items": 1},
    "CampaignsExportPartWritten": {
        "job_id": "job_1",
        "contact_id": "c",
        "key": "campaigns/exports/t/job_1.json",
        "items": 0,
    },
    "SegmentMembershipChanged": {
        "contact_id": "c",
        "entered": ["sg_1"],
        "left": [],
        "changed_at": "2026-01-01T00:00:00Z",
    },
    "ContactLifecycleChanged": {
        "contact_id": "c",
        "previous_stage": "new",
        "stage": "dormant",
        "reason": "inactivity",
        "changed_at": "2026-01-01T00:00:00Z",
    },
    "ContactScoreChanged": {
        "contact_id": "c",
        "previous_grade": "D",
        "grade": "C",
        "score": 35,
        "changed_at": "2026-01-01T00:00:00Z",
    },
    "OrderBuyerIdentified": {
        "partner": "partner.shop",
        "order_id": "o-1",
        "contact_id": "c",
        "amount_fen": 100,
        "brand": "acme",
    },
    "ScanAttributed": {
        "scan_id": "s",
        "contact_id": "c",
        "campaign_id": "p",
        "code": "k",
        "channel": "poster",
        "acquired": True,
        "scanned_at": "2026-01-01T00:00:00Z",
    },
    "ChannelCodeCreated": {
        "code": "k",
        "campaign_id": "p",
        "channel": "企微活码",
        "wecom": {"staff_ids": ["g1", "g2"], "daily_add_limit": 50},
        "created_at": "2026-01-01T00:00:00Z",
    },
    "QrCodeScanned": {
        "scan_id": "s",
        "contact_id": "c",
        "campaign_id": "p",
        "code": "k",
        "channel": "poster",
        "staff_id": "g",
        "scanned_at": "2026-01-01T00:00:00Z",
    },
    "CampaignConversionRecorded": {
        "conversion_id": "p:c",
        "scan_id": "s",
        "contact_id": "c",
        "campaign_id": "p",
        "code": "k",
        "channel": "poster",
        "kind": "acquisition",
        "points": 10,
        "rewarded": True,
    },
    "PointsAwarded": {
        "contact_id": "c",
        "entry_id": "e",
        "points": 10,
        "balance": 10,
        "lifetime_earned": 10,
        "reason": "campaign_acquisition",
        "source": "conversion:p:c",
    },
    "PointsReversed": {
        "contact_id": "c",
        "entry_id": "e",
        "balance": 0,
        "order_id": "o",
        "refund_id": "r",
        "points": 5,
        "unrecovered": 0,
        "lifetime_earned": 5,
    },
    "PointsExpired": {
        "contact_id": "c",
        "entry_id": "e",
        "balance": 0,
        "lot_id": "l",
        "points": 5,
        "expires_at": "2026-12-31T15:59:59.999Z",
    },
    "PointsExpiring": {"contact_id": "c", "points": 5, "expires_at": "2026-12-31T15:59:59.999Z"},
    "PointsAdjusted": {"contact_id": "c", "entry_id": "e", "balance": 5, "points": -5, "reason": "fix", "actor": "s"},
    "RewardRedeemed": {
        "contact_id": "c",
        "entry_id": "e",
        "balance": 70,
        "redemption_id": "r",
        "reward_id": "w",
        "points": 30,
    },
    "RedemptionFulfilled": {"redemption_id": "r", "contact_id": "c", "reward_id": "w", "actor": "s"},
    "RedemptionCancelled": {"redemption_id": "r", "contact_id": "c", "reward_id": "w", "points": 30, "actor": "s"},
    "TierChanged": {"contact_id": "c", "previous_tier": "member", "tier": "gold", "earned_in_window": 1000},
    "PointsAccountsMerged": {"contact_id": "c", "merged_contact_id": "d", "points": 10, "lifetime_earned": 20},
    "OrderPaid": {"order_id": "o-1", "contact_id": "c", "amount_fen": 12_345, "brand": "acme"},
    "OrderRefunded": {"order_id": "o-1", "refund_id": "r-1", "amount_fen": 2_345},
    "AfterSalesRequested": {
        "request_id": "as-1",
        "order_id": "o-1",
        "contact_id": "c",
        "brand": "acme",
        "subject": "屏幕有划痕",
        "description": "收到的时候就有",
    },
    "CaseOpened": {
        "case_id": "k",
        "contact_id": "c",
        "type": "complaint",
        "priority": "normal",
        "intake": "member",
        "queue_id": "q",
        "brand": None,
    },
    "CaseAssignmentChanged": {
        "case_id": "k",
        "contact_id": "c",
        "queue_id": "q",
        "assignee": "a",
        "previous_assignee": None,
        "actor": "system",
    },
    "CaseStatusChanged": {
        "case_id": "k",
        "contact_id": "c",
        "from_status": "assigned",
        "to_status": "in_progress",
        "actor_kind": "staff",
        "actor_id": "a",
        "reason": None,
    },
    "CaseMessageAdded": {
        "case_id": "k",
        "contact_id": "c",
        "message_id": "m",
        "kind": "inbound",
        "author_kind": "member",
    },
    "CaseReplyRequested": {
        "case_id": "k",
        "contact_id": "c",
        "message_id": "m",
        "channel": {"kind": "wechat_mini_program", "app_id": "wx", "openid": "o"},
        "body": "您好",
    },
    "CaseReplyDelivered": {"case_id": "k", "contact_id": "c", "message_id": "m", "channel_kind": "wechat_mini_program"},
    "CaseReplyHeld": {"case_id": "k", "contact_id": "c", "message_id": "m", "reason": "window_closed"},
    "CaseReplyFailed": {"case_id": "k", "contact_id": "c", "message_id": "m", "reason": "45015"},
    "CaseSlaBreached": {
        "case_id": "k",
        "contact_id": "c",
        "target": "first_response",
        "due_at": "2026-01-05T01:30:00.000Z",
        "priority": "normal",
        "assignee": None,
    },
    "ChannelMessageReceived": {
        "channel": {"kind": "wechat_official_account", "app_id": "wx", "openid": "o"},
        "msg_id": "1234567890",
        "msg_type": "text",
        "content": "我要投诉",
        "sent_at": "2026-11-22T08:00:00.000Z",
    },
    "CaseRated": {"case_id": "k", "contact_id": "c", "rating": 5, "resolution": 1, "reopened": False},
}


def bus_event(contract: Contract) -> dict[str, Any]:
    return {
        "id": "1",
        "account": "000000000000",
        "region": "us-east-1",
        "time": "2026-01-01T00:00:00Z",
        "resources": [],
        "source": contract.example_source,
        "detail-type": contract.detail_type,
        "detail": {
            "metadata": {
                "event_id": "e",
                "event_version": contract.version,
                "tenant_id": "t",
                "occurred_at": "2026-01-01T00:00:00Z",
                "correlation_id": "c",
            },
            "data": copy.deepcopy(SAMPLES[contract.detail_type]),
        },
    }


def test_committed_schemas_match_the_models() -> None:
    for relative, text in rendered().items():
        path = ROOT / "schemas" / relative
        assert path.exists(), f"{relative} is not published: run make schemas"
        assert path.read_text(encoding="utf-8") == text, f"{relative} drifted from its model: run make schemas"


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.detail_type)
def test_every_event_has_a_valid_sample_and_refuses_unknown_fields(contract: Contract) -> None:
    event = bus_event(contract)
    contract.envelope.model_validate(event["detail"])
    event["detail"]["data"]["surprise"] = 1
    with pytest.raises(ValueError, match="surprise"):
        contract.envelope.model_validate(event["detail"])


def test_partner_contracts_accept_any_partner_and_nothing_else() -> None:
    from shared.events.catalog import find

    assert find("partner.tmall", "OrderPaid") is not None
    assert find("partner", "OrderPaid") is None
    assert find("partner.", "OrderPaid") is None
    assert find("siyu.points", "OrderPaid") is None
    assert find("partnerx.tmall", "OrderPaid") is None


def test_services_publish_only_events_with_contracts_under_their_own_source() -> None:
    by_type = {(c.source, c.detail_type) for c in CONTRACTS}
    for service in SERVICES:
        for detail_type in service.publishes:
            assert (service.source, detail_type) in by_type


@pytest.mark.parametrize("service", [s for s in SERVICES if s.api_handler], ids=lambda s: s.name)
def test_every_declared_route_has_exactly_one_handler(service: Any) -> None:
    import local.stack  # noqa: F401 - the local stack registers its local-only routes (local/dev_tokens.py)

    api = resolve_handler(service.api_handler.rsplit(".", 1)[0] + ".api")
    assert api.registered == {route.key for route in service.routes}


@pytest.mark.parametrize("consumer", [c for s in SERVICES for c in s.consumers], ids=lambda c: c.name)
def test_subscriptions_match_exactly_the_events_their_consumer_handles(consumer: Any) -> None:
    handled = set(resolve_handler(consumer.handler).handlers)
    patterns = [EventPattern.load(json.dumps(p)) for p in consumer.patterns]
    for contract in CONTRACTS:
        event: Any = bus_event(contract)
        matched = any(p.matches_event(event) for p in patterns)
        assert matched == (contract.detail_type in handled), contract.detail_type


BOUNDED_FORMATS = ("date-time", "date", "time")


def _missing_bounds(schema: dict[str, Any], path: str) -> list[str]:
    """What this node of a schema leaves unbounded (its children aside)."""
    kind = schema.get("type")
    found: list[str] = []
    if kind in ("integer", "number"):
        if "maximum" not in schema and "exclusiveMaximum" not in schema:
            found.append(f"{path}: {kind} without maximum")
        if "minimum" not in schema and "exclusiveMinimum" not in schema:
            found.append(f"{path}: {kind} without minimum")
    bounded_string = "maxLength" in schema or "enum" in schema or "const" in schema
    if kind == "string" and not bounded_string and schema.get("format") not in BOUNDED_FORMATS:
        found.append(f"{path}: string without maxLength")
    if kind == "array" and "maxItems" not in schema:
        found.append(f"{path}: array without maxItems")
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict) and "maxProperties" not in schema:
        found.append(f"{path}: map without maxProperties")
    return found


def _unbounded(schema: Any, path: str, definitions: dict[str, Any], seen: frozenset[str] = frozenset()) -> list[str]:
    """Every place in a JSON schema where a value has no upper bound: an integer or number
    without ``maximum`` (or a lower bound), a string without ``maxLength`` (dates, times and
    enumerations are bounded by their format), an array without ``maxItems``, a map without
    ``maxProperties`` — in the schema itself, its items, its map keys and values, its properties,
    its alternatives and what it refers to."""
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else _unbounded(definitions[name], path, definitions, seen | {name})
    found = _missing_bounds(schema, path)
    children: list[tuple[Any, str]] = [(schema.get("items"), f"{path}[]")]
    if isinstance(schema.get("additionalProperties"), dict):
        children.append((schema["additionalProperties"], f"{path}{{}}"))
        children.append((schema.get("propertyNames", {"type": "string"}), f"{path}{{key}}"))
    children += [(field, f"{path}.{name}") for name, field in schema.get("properties", {}).items()]
    children += [(option, path) for key in ("anyOf", "oneOf", "allOf") for option in schema.get(key, [])]
    for child, where in children:
        found += _unbounded(child, where, definitions, seen)
    return found


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.detail_type)
def test_every_number_string_and_list_in_every_contract_has_an_upper_bound(contract: Contract) -> None:
    """10**30 points or a megabyte-long id must be refused where an event arrives, never credited or
    stored: every contract, including one added later, bounds everything it carries."""
    schema = contract.json_schema()
    assert _unbounded(schema, contract.detail_type, schema.get("$defs", {})) == []


def test_the_schema_walk_finds_an_unbounded_field() -> None:
    """The walk above would catch a contract that forgot a bound."""
    loose = {
        "type": "object",
        "properties": {
            "points": {"type": "integer", "minimum": 0},
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 9}},
            "owners": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Owner"}, "maxProperties": 3},
        },
    }
    definitions = {"Owner": {"type": "string"}}
    assert _unbounded(loose, "X", definitions) == [
        "X.points: integer without maximum",
        "X.name: string without maxLength",
        "X.tags: array without maxItems",
        "X.owners{}: string without maxLength",
        "X.owners{key}: string without maxLength",
    ]


@pytest.mark.parametrize(
    ("detail_type", "field", "value"),
    [
        ("CampaignConversionRecorded", "points", 10**30),
        ("CampaignConversionRecorded", "points", 10**40),
        ("CampaignConversionRecorded", "points", 1_000_001),
        ("CampaignConversionRecorded", "points", True),
        ("CampaignConversionRecorded", "points", "5"),
        ("CampaignConversionRecorded", "points", 5.0),
        ("CampaignConversionRecorded", "rewarded", "true"),
        ("CampaignConversionRecorded", "contact_id", "c" * 129),
        ("OrderPaid", "amount_fen", 10**11),
        ("PointsAwarded", "balance", 10**16),
        ("CaseRated", "rating", 6),
        ("ContactCreated", "tags", ["t"] * 1001),
    ],
)
def test_out_of_bounds_or_coerced_values_are_refused(detail_type: str, field: str, value: Any) -> None:
    contract = next(c for c in CONTRACTS if c.detail_type == detail_type)
    event = bus_event(contract)
    contract.envelope.model_validate(event["detail"])
    event["detail"]["data"][field] = value
    with pytest.raises(ValueError, match=field):
        contract.envelope.model_validate(event["detail"])
