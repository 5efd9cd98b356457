"""Contracts between services: declared routes have handlers, published events have schemas that
match the committed files, and every subscription matches exactly the events it handles."""

from __future__ import annotations

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
    "ContactUpdated": {"contact_id": "c", "version": 2, "changed": ["name"]},
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
            "data": SAMPLES[contract.detail_type],
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
