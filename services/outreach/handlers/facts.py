"""Consumer: contacts', points' and wecom's events → outreach's copy of the contact facts."""

from __future__ import annotations

from typing import Any

from services.outreach.logic import facts
from services.outreach.service import FACTS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope

LEDGER_CHANGES = ("PointsAwarded", "PointsReversed", "PointsExpired", "PointsAdjusted", "RewardRedeemed")
# No balance and no ledger entry to order one by: the contact's next ledger event brings the balance.
WITHOUT_BALANCE = ("RedemptionCancelled", "PointsAccountsMerged")


def on_profile(event: Envelope[Any]) -> None:
    facts.record_profile(event.metadata.tenant_id, event.data, event.metadata.event_id)


def on_lifecycle(event: Envelope[Any]) -> None:
    facts.record_lifecycle(event.metadata.tenant_id, event.data, event.metadata.event_id)


def on_memberships(event: Envelope[Any]) -> None:
    facts.record_memberships(event.metadata.tenant_id, event.data, event.metadata.event_id)


def on_identified(event: Envelope[Any]) -> None:
    facts.record_identified(event.metadata.tenant_id, event.data, event.metadata.event_id)


def on_removed(event: Envelope[Any]) -> None:
    facts.record_removed(event.metadata.tenant_id, event.data, event.metadata.event_id)


def on_ledger(event: Envelope[Any]) -> None:
    facts.record_balance(event.metadata.tenant_id, event.data, event.metadata.event_id)


def on_expiring(event: Envelope[Any]) -> None:
    facts.record_expiring(event.metadata.tenant_id, event.data, event.metadata.event_id)


def on_staff(event: Envelope[Any]) -> None:
    metadata = event.metadata
    facts.record_staff(metadata.tenant_id, event.data, metadata.occurred_at, metadata.event_id)


def ignored(event: Envelope[Any]) -> None:
    """Subscribed so that the choice is explicit: nothing to keep from it (see WITHOUT_BALANCE)."""


handler = EventConsumer(
    name=FACTS_CONSUMER.name,
    handlers={
        "ContactProfileChanged": on_profile,
        "ContactLifecycleChanged": on_lifecycle,
        "SegmentMembershipChanged": on_memberships,
        "WeComCustomerIdentified": on_identified,
        "WeComContactRemoved": on_removed,
        "WeComStaffChanged": on_staff,
        "PointsExpiring": on_expiring,
        **dict.fromkeys(LEDGER_CHANGES, on_ledger),
        **dict.fromkeys(WITHOUT_BALANCE, ignored),
    },
)
