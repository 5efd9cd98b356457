"""Ledger rules: credits are immutable entries; a cause is applied once; balances never go below 0."""

from __future__ import annotations

from services.points.dal import ledger as dal
from services.points.models import Account, Entry
from shared import ids
from shared.clock import now_rfc3339
from shared.errors import ConcurrentUpdate
from shared.events.campaigns import CampaignConversionRecorded
from shared.events.points import PointsAwarded
from shared.idempotency import Prepare

ATTEMPTS = 5


def credit(
    tenant_id: str, contact_id: str, points: int, reason: str, source: str, prepare: Prepare | None = None
) -> Account:
    """Credit once per source; concurrent changes to the account are retried on fresh state."""
    for _ in range(ATTEMPTS):
        account = dal.get_account(tenant_id, contact_id)
        entry = Entry(
            entry_id=ids.new_id("pe_"),
            type="credit",
            points=points,
            balance_after=account.balance + points,
            reason=reason,
            source=source,
            created_at=now_rfc3339(),
        )
        awarded = PointsAwarded(
            contact_id=contact_id,
            entry_id=entry.entry_id,
            points=points,
            balance=entry.balance_after,
            lifetime_earned=account.lifetime_earned + points,
            reason=reason,
            source=source,
        )
        try:
            dal.append(account, entry, points, [awarded], prepare)
        except ConcurrentUpdate:
            continue
        return account.model_copy(
            update={"balance": entry.balance_after, "lifetime_earned": account.lifetime_earned + points}
        )
    raise ConcurrentUpdate("The account is too busy; the credit will be retried.")


def on_conversion(tenant_id: str, conversion: CampaignConversionRecorded) -> None:
    if not conversion.rewarded or conversion.points <= 0:
        return
    credit(
        tenant_id,
        conversion.contact_id,
        conversion.points,
        f"campaign_{conversion.kind}",
        f"conversion:{conversion.conversion_id}",
    )
