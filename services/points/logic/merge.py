"""Contacts merged: the absorbed account's lots, balance and earnings move to the survivor, once.

Both accounts are written in one transaction, each over the state it was read in; the absorbed
account keeps its history and points to the survivor (``merged_into``), so later credits for
the absorbed contact land on the survivor. Its entries stay readable under the absorbed contact;
the survivor's ``merge_in`` entry names it.

Events come twice, late and in any order. An absorbed account that already points somewhere was
merged before: contacts never absorbs a contact twice (an alias never survives), so that is a
duplicate, whichever survivor it names. A survivor that was itself absorbed meanwhile (B into C
handled before A into B) is followed to the account that holds its points now, so nothing lands
on an emptied account. The contacts merged into the absorbed one earlier (``also_merged``) are
re-pointed to the survivor, so chains stay one hop long (``account_of`` refuses long ones).

The later of the two check-in streaks goes to the survivor in the same transaction: a person who
checked in as the alias today has checked in as the survivor too."""

from __future__ import annotations

from collections.abc import Sequence

from services.points.dal import ledger as dal
from services.points.logic import account_rules as rules
from services.points.logic.ledger import ATTEMPTS, account_of, new_entry, settle
from services.points.models import Account, CheckinState, Draw
from services.points.policy import PointsPolicy
from shared.clock import utc_now
from shared.consumer import AlreadyProcessed
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate
from shared.events.points import PointsAccountsMerged
from shared.retry import retry_on_race


def merge(tenant_id: str, survivor_id: str, absorbed_id: str, also_merged: Sequence[str] = ()) -> None:
    if survivor_id == absorbed_id:
        return
    policy = dal.get_policy(tenant_id)

    def attempt(_: int) -> str | None:
        """The survivor's id once merged; None if the absorbed account was merged before."""
        absorbed = dal.get_account(tenant_id, absorbed_id)
        if absorbed.merged_into:
            return None
        survivor = account_of(tenant_id, survivor_id)
        if survivor.contact_id == absorbed_id:
            # Contacts never lets a survivor be absorbed by its own alias.
            raise ValueError(f"merging {absorbed_id} into {survivor_id} would form a cycle")
        streaks = dal.get_checkin(tenant_id, absorbed_id), dal.get_checkin(tenant_id, survivor.contact_id)
        dal.commit(_merged(policy, absorbed, survivor, *streaks))
        return survivor.contact_id

    holder = retry_on_race(
        attempt,
        attempts=ATTEMPTS,
        exhausted=lambda: ConcurrentUpdate("The accounts are too busy; the merge will be retried."),
    )
    # After the merge (or on its redelivery, if the first delivery stopped here): idempotent.
    _repoint(tenant_id, also_merged, holder or account_of(tenant_id, survivor_id).contact_id)
    if holder is None:
        raise AlreadyProcessed(f"{absorbed_id} was already merged")


def _repoint(tenant_id: str, aliases: Sequence[str], holder_id: str) -> None:
    """Earlier aliases that point at another account point at ``holder_id`` (one write each: there
    may be more than a transaction holds). An alias whose own merge points has not handled yet is
    left alone: that merge moves its points when it comes, following the chain."""
    for alias_id in aliases:

        def attempt(_: int, alias_id: str = alias_id) -> None:
            alias = dal.get_account(tenant_id, alias_id)
            if alias.merged_into in (None, holder_id) or alias_id == holder_id:
                return
            dal.commit(dal.LedgerWrite([dal.AccountChange(alias, alias.model_copy(update={"merged_into": holder_id}))]))

        retry_on_race(attempt, attempts=ATTEMPTS)


def _merged(
    policy: PointsPolicy, absorbed: Account, survivor: Account, absorbed_streak: CheckinState, streak: CheckinState
) -> dal.LedgerWrite:
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
    prepare: list[Prepare] = []
    if _later(absorbed_streak, streak):
        tenant_id = survivor.tenant_id

        def carry_streak(tx: Transaction) -> None:
            on_fail = ConcurrentUpdate("The survivor checked in meanwhile.")
            dal.save_checkin(tx, tenant_id, survivor_id, streak, absorbed_streak, on_fail=on_fail)

        prepare.append(carry_streak)
    return dal.LedgerWrite(
        changes=[dal.AccountChange(absorbed, emptied, out_entry), dal.AccountChange(survivor, joined, in_entry)],
        events=[event, *tier_events],
        prepare=prepare,
    )


def _later(first: CheckinState, second: CheckinState) -> bool:
    """Whether ``first`` is the later streak (the longer one on the same day)."""
    if first.last_date is None:
        return False
    return second.last_date is None or (first.last_date, first.streak) > (second.last_date, second.streak)


def _summed(first: dict[str, int], second: dict[str, int]) -> dict[str, int]:
    """Counters added key by key (not ``Counter``'s ``+``, which drops the negative months of refunds)."""
    return {key: first.get(key, 0) + second.get(key, 0) for key in first.keys() | second.keys()}
