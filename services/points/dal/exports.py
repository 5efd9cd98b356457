"""A contact's points records for a PIPL export (contacts' ContactExportRequested), and the event
that reports the part written. Reads only the contact's own partitions."""

from __future__ import annotations

from services.points.dal import ledger, rewards
from services.points.models import Account, Entry
from services.points.reward_models import Redemption
from shared.dynamo import Transaction
from shared.events.points import PointsExportPartWritten
from shared.outbox import publish_with

PAGE = 500


def account(tenant_id: str, contact_id: str) -> Account:
    return ledger.get_account(tenant_id, contact_id)


def entries(tenant_id: str, contact_id: str) -> list[Entry]:
    """Every ledger entry of the contact's account, newest first."""
    found: list[Entry] = []
    cursor: str | None = None
    while True:
        page, cursor = ledger.list_entries(tenant_id, contact_id, PAGE, cursor)
        found.extend(page)
        if cursor is None:
            return found


def redemptions(tenant_id: str, contact_id: str) -> list[Redemption]:
    found: list[Redemption] = []
    cursor: str | None = None
    while True:
        page, cursor = rewards.list_redemptions(tenant_id, contact_id, PAGE, cursor)
        found.extend(page)
        if cursor is None:
            return found


def part_written(tenant_id: str, event: PointsExportPartWritten) -> None:
    publish_with(Transaction(ledger.table()), tenant_id, event).commit()
