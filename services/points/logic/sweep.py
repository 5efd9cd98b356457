"""The scheduled sweep: expire due lots (an entry each), warn before points expire, and review
tiers that may fall. It runs hourly (and on demand); running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from services.points.dal import ledger as dal
from services.points.logic import account_rules as rules
from services.points.logic.ledger import Plan, change, new_entry
from services.points.models import Account, Draw, SweepReport
from services.points.policy import PointsPolicy
from shared.clock import rfc3339, utc_now
from shared.events.points import PointsExpired, PointsExpiring


@dataclass
class _Expire:
    lot_id: str
    moment: datetime

    def __call__(self, account: Account, _: PointsPolicy, now: datetime) -> Plan | None:
        lot = next((lot for lot in account.lots if lot.lot_id == self.lot_id), None)
        if lot is None or lot.remaining <= 0 or lot.expires_at > rfc3339(self.moment):
            return None  # spent, expired already, or moved: nothing left to expire
        entry = new_entry(
            account,
            "expiry",
            -lot.remaining,
            "expired",
            f"expiry:{lot.lot_id}",
            now,
            lots=[Draw(lot_id=lot.lot_id, points=-lot.remaining)],
            expires_at=lot.expires_at,
        )
        lots = [
            other if other.lot_id != lot.lot_id else lot.model_copy(update={"remaining": 0}) for other in account.lots
        ]
        after = account.model_copy(update={"balance": entry.balance_after, "lots": lots})
        event = PointsExpired(
            contact_id=account.contact_id,
            entry_id=entry.entry_id,
            balance=after.balance,
            lot_id=lot.lot_id,
            points=lot.remaining,
            expires_at=lot.expires_at,
        )
        return Plan(after=after, entry=entry, events=[event])


@dataclass
class _Warn:
    moment: datetime
    warned: int = 0

    def __call__(self, account: Account, policy: PointsPolicy, _: datetime) -> Plan | None:
        if not policy.expiry_warning_days:
            return None  # warnings are off
        lots = rules.to_warn(account.lots, policy, self.moment)
        if not lots:
            return None
        totals: dict[str, int] = {}
        for lot in lots:
            totals[lot.expires_at] = totals.get(lot.expires_at, 0) + lot.remaining
        names = {lot.lot_id for lot in lots}
        marked = [lot.model_copy(update={"warned": True}) if lot.lot_id in names else lot for lot in account.lots]
        after = account.model_copy(update={"lots": marked})
        events: list[BaseModel] = [
            PointsExpiring(contact_id=account.contact_id, points=points, expires_at=at)
            for at, points in sorted(totals.items())
        ]
        self.warned = len(events)
        return Plan(after=after, events=events)


def sweep_account(tenant_id: str, contact_id: str, moment: datetime, report: SweepReport) -> None:
    account = dal.get_account(tenant_id, contact_id)
    for lot in rules.due(account.lots, rfc3339(moment)):
        applied = change(tenant_id, contact_id, _Expire(lot.lot_id, moment))
        if applied.plan.entry is not None:
            report.lots_expired += 1
            report.points_expired -= applied.plan.entry.points
    warn = _Warn(moment)
    change(tenant_id, contact_id, warn, allow_downgrade=True)  # warnings, the tier review and the next due time
    report.warnings += warn.warned
    report.accounts += 1


def sweep(tenant_id: str | None = None, moment: datetime | None = None) -> SweepReport:
    """Every account with work due by ``moment`` (all tenants, or one)."""
    moment = moment or utc_now()
    report = SweepReport()
    seen: set[tuple[str, str]] = set()
    for tenant, contact in dal.due_accounts(rfc3339(moment), tenant_id):
        if (tenant, contact) not in seen:
            seen.add((tenant, contact))
            sweep_account(tenant, contact, moment, report)
    return report
