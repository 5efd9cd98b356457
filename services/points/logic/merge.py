"""Contacts merged: the absorbed account's lots, balance and earnings move to the survivor, once.

Both accounts are written in one transaction, each over the state it was read in; the absorbed
account keeps its history and points to the survivor (``merged_into``), so later credits for
the absorbed contact land on the survivor. Its entries stay readable under the absorbed contact;
the survivor's ``merge_in`` entry names it."""

from __future__ import annotations

from services.points.dal import ledger as dal
from services.points.logic import account_rules as rules
from services.points.logic.ledger import ATTEMPTS, new_entry, settle
from services.points.models import Account, Draw
from services.points.policy import PointsPolicy
from shared.clock import utc_now
from shared.consumer import AlreadyProcessed
from shared.errors import ConcurrentUpdate
from shared.events.points import PointsAccountsMerged
from shared.retry import retry_on_race


def merge(tenant_id: str, survivor_id: str, absorbed_id: str) -> None:
    if survivor_id == absorbed_id:
        return
    policy = dal.get_policy(tenant_id)

    def attempt(_: int) -> None:
        absorbed = dal.get_account(tenant_id, absorbed_id)
        if absorbed.merged_into == survivor_id:
            raise AlreadyProcessed(f"{absorbed_id} was already merged into {survivor_id}")
        survivor = dal.get_account(tenant_id, survivor_id)
        dal.commit(_merged(policy, absorbed, survivor))

    retry_on_race(
        attempt,
        attempts=ATTEMPTS,
        exhausted=lambda: ConcurrentUpdate("The accounts are too busy; the merge will be retried."),
    )


def _merged(policy: PointsPolicy, absorbed: Account, survivor: Account) -> dal.LedgerWrite:
    """Both accounts' new states: the survivor takes everything, the absorbed points to it."""
    now = utc_now()
    survivor_id, absorbed_id = survivor.contact_id, absorbed.contact_id
    source = f"merge:{absorbed_id}"
    moved = [Draw(lot_id=lot.lot_id, points=lot.remaining) for lot in absorbed.lots if lot.remaining]
    out_entry = new_entry(
        absorbed,
        "merge_out",
        -absorbed.balance,
        "contacts_merged",
        source,
        now,
        lots=[Draw(lot_id=d.lot_id, points=-d.points) for d in moved],
        related_contact_id=survivor_id,
    )
    in_entry = new_entry(
        survivor,
        "merge_in",
        absorbed.balance,
        "contacts_merged",
        source,
        now,
        earned=absorbed.lifetime_earned,
        lots=moved,
        related_contact_id=absorbed_id,
    )
    joined = survivor.model_copy(
        update={
            "balance": in_entry.balance_after,
            "lifetime_earned": survivor.lifetime_earned + absorbed.lifetime_earned,
            "lots": [*survivor.lots, *absorbed.lots],
            "earned_by_month": _summed(survivor.earned_by_month, absorbed.earned_by_month),
            "caps_used": _summed(survivor.caps_used, absorbed.caps_used),
        }
    )
    joined, tier_events = settle(joined, policy, now, allow_downgrade=False)
    joined = joined.model_copy(update={"due_at": rules.next_due(joined, policy, now)})
    emptied = absorbed.model_copy(
        update={"balance": 0, "lots": [], "merged_into": survivor_id, "due_at": None, "tier": None}
    )
    event = PointsAccountsMerged(
        contact_id=survivor_id,
        merged_contact_id=absorbed_id,
        points=absorbed.balance,
        lifetime_earned=joined.lifetime_earned,
    )
    return dal.LedgerWrite(
        changes=[dal.AccountChange(absorbed, emptied, out_entry), dal.AccountChange(survivor, joined, in_entry)],
        events=[event, *tier_events],
    )


def _summed(first: dict[str, int], second: dict[str, int]) -> dict[str, int]:
    """Counters added key by key (not ``Counter``'s ``+``, which drops the negative months of refunds)."""
    return {key: first.get(key, 0) + second.get(key, 0) for key in first.keys() | second.keys()}
