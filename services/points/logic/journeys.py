"""Journeys' award steps: outreach grants (``JourneyPointsGranted``), points credits.

A grant is an ordinary credit (``ledger.credit``): a new lot expiring by the tenant's policy,
counted towards tiers, on the account of the contact or of the survivor it was merged into (an
account the contact never had is opened by the credit). Its reason is ``journey`` and its source
``journey:<grant_id>``: the ledger records each source once, in the credit's own transaction, so a
grant delivered twice (or published again under another event id) is credited once; the repeat
raises ``AlreadyProcessed``, which the consumer counts as handled.

Caps: a grant is credited under the earning rule of kind ``journey``; the policy offers no such
rule today (``EarningRule.source``), so no cap applies — the journey's author chose the amount.
"""

from __future__ import annotations

from services.points.logic import ledger
from shared.events.outreach import JourneyPointsGranted

REASON = "journey"


def source_of(grant: JourneyPointsGranted) -> str:
    return f"journey:{grant.grant_id}"


def on_granted(tenant_id: str, grant: JourneyPointsGranted) -> int:
    """Credit the grant once; the points credited (fewer than granted if a cap withheld some)."""
    applied = ledger.credit(tenant_id, grant.contact_id, grant.points, REASON, source_of(grant), kind=REASON)
    return applied.plan.entry.points if applied.plan.entry is not None else 0
