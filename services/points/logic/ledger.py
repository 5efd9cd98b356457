"""Ledger rules: every change is an immutable entry, applied once per cause, computed from the
account as read and written only over that same state; balances never go below zero.

``change`` is the one way an account is written: it reads, lets a planner compute the entry and
the new state, settles lots and tiers, and commits — again on fresh state if it lost a race."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel

from services.points.dal import ledger as dal
from services.points.logic import account_rules as rules
from services.points.logic import daily_stats
from services.points.models import Account, Draw, Entry, EntryType, Lot
from services.points.policy import PointsPolicy
from shared import idempotency, ids
from shared.clock import rfc3339, utc_now
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.events.campaigns import CampaignConversionRecorded
from shared.events.points import PointsAwarded, TierChanged
from shared.retry import retry_on_race

ATTEMPTS = 15  # a hot account (ten redemptions at once) settles within this many rounds
MERGE_HOPS = 5
M = TypeVar("M", bound=BaseModel)


@dataclass
class Plan:
    after: Account
    entry: Entry | None = None
    events: list[BaseModel] = field(default_factory=list)
    prepare: list[Prepare] = field(default_factory=list)


Planner = Callable[[Account, PointsPolicy, datetime], Plan | None]  # None: nothing to change


@dataclass(frozen=True)
class Applied:
    account: Account
    plan: Plan


def new_entry(
    account: Account, type_: EntryType, points: int, reason: str, source: str, now: datetime, **extra: object
) -> Entry:
    return Entry.model_validate(
        {
            "entry_id": ids.new_id(dal.ENTRY_ID_PREFIX),
            "type": type_,
            "points": points,
            "balance_after": account.balance + points,
            "reason": reason,
            "source": source,
            "created_at": rfc3339(now),
            **extra,
        }
    )


def settle(
    after: Account, policy: PointsPolicy, now: datetime, *, allow_downgrade: bool
) -> tuple[Account, list[TierChanged]]:
    """Forget spent lots; move the tier up at once (down only when the sweep says so)."""
    after = after.model_copy(update={"lots": rules.prune(after.lots, rfc3339(now))})
    tier = rules.tier_for(after, policy, now)
    rise = rules.tier_rank(policy, tier) > rules.tier_rank(policy, after.tier)
    fall = allow_downgrade and rules.tier_rank(policy, tier) < rules.tier_rank(policy, after.tier)
    if not (rise or fall):
        return after, []
    changed = after.model_copy(update={"tier": tier})
    if after.tier is None and rules.tier_rank(policy, tier) == 0:
        return changed, []  # a new account starting in the first tier is not news
    event = TierChanged(
        contact_id=after.contact_id,
        previous_tier=after.tier,
        tier=tier,
        earned_in_window=rules.earned_in_window(after, policy, now),
    )
    return changed, [event]


class MergeChainTooLong(Conflict):
    """A contact's survivor was absorbed more than ``MERGE_HOPS`` times over (or in a cycle).
    Merges re-point earlier aliases to each new survivor, so this lasts only until a pending merge
    is handled: an event is retried (then dead-lettered with this reason), a request answers 409;
    nothing lands on an emptied account."""


class HolderMoved(Conflict):
    """The contact's account was merged into another while a change for it was being planned."""


def account_of(tenant_id: str, contact_id: str) -> Account:
    """The contact's account, or the survivor's if the contact was merged into another."""
    account = dal.get_account(tenant_id, contact_id)
    for _ in range(MERGE_HOPS):
        if not account.merged_into:
            return account
        account = dal.get_account(tenant_id, account.merged_into)
    if account.merged_into:
        raise MergeChainTooLong(f"{contact_id}'s points lie more than {MERGE_HOPS} merges away")
    return account


def holder_id(tenant_id: str, contact_id: str) -> str:
    """Whose account holds the contact's points: its own, or its survivor's after a merge."""
    return account_of(tenant_id, contact_id).contact_id


def change(
    tenant_id: str,
    contact_id: str,
    planner: Planner,
    *,
    allow_downgrade: bool = False,
    policy: PointsPolicy | None = None,
    expect_new_account: bool = False,
) -> Applied:
    """Apply one planned change to a contact's account (a merged contact's survivor's).

    ``expect_new_account`` skips the read and plans over an empty account first: that write is
    conditional on no account existing, so a wrong guess only costs planning again over the real one."""
    in_force = policy or dal.get_policy(tenant_id)

    def apply(account: Account) -> Applied:
        now = utc_now()
        plan = planner(account, in_force, now) or Plan(after=account)
        after, tier_events = settle(plan.after, in_force, now, allow_downgrade=allow_downgrade)
        after = after.model_copy(update={"due_at": rules.next_due(after, in_force, now)})
        if plan.entry is None and not plan.events and not tier_events and not plan.prepare and after == account:
            return Applied(account, plan)
        dal.commit(
            dal.LedgerWrite(
                changes=[dal.AccountChange(account, after, plan.entry)],
                events=[*plan.events, *tier_events],
                prepare=plan.prepare,
                tally=daily_stats.tally(plan.entry, in_force),
            )
        )
        return Applied(after.model_copy(update={"version": account.version + 1}), plan)

    if expect_new_account:
        try:
            return apply(Account(tenant_id=tenant_id, contact_id=contact_id))
        except ConcurrentUpdate:
            pass  # the account exists after all: no race to back off from, just read it
    return retry_on_race(
        lambda _: apply(account_of(tenant_id, contact_id)),
        attempts=ATTEMPTS,
        exhausted=lambda: ConcurrentUpdate("The account is too busy; try again."),
    )


# ---- the two shapes of a change: a new lot, or a draw on the lots -----------------------------


def add_lot(
    account: Account,
    policy: PointsPolicy,
    now: datetime,
    points: int,
    type_: EntryType,
    reason: str,
    source: str,
    *,
    earned: bool,
    **extra: object,
) -> tuple[Account, Entry]:
    """``points`` (≥ 0) in as a new lot expiring by today's policy; ``earned`` counts them for tiers."""
    expires_at = rules.expiry_for(policy, now)
    entry = new_entry(account, type_, points, reason, source, now, earned=points if earned else 0, **extra)
    lots = list(account.lots)
    if points:
        entry = entry.model_copy(
            update={"expires_at": expires_at, "lots": [Draw(lot_id=entry.entry_id, points=points)]}
        )
        lots.append(Lot(lot_id=entry.entry_id, points=points, remaining=points, expires_at=expires_at, source=source))
    update: dict[str, object] = {"balance": entry.balance_after, "lots": lots}
    if earned:
        update |= {
            "lifetime_earned": account.lifetime_earned + points,
            "earned_by_month": rules.add_earned(account, points, now, policy),
        }
    return account.model_copy(update=update), entry


def take_points(
    account: Account, now: datetime, points: int, type_: EntryType, reason: str, source: str, **extra: object
) -> tuple[Account, Entry]:
    """``points`` out of the lots, first to expire first; refused if the balance is short."""
    lots, draws = rules.draw(account.lots, points)
    entry = new_entry(account, type_, -points, reason, source, now, lots=draws, **extra)
    return account.model_copy(update={"balance": entry.balance_after, "lots": lots}), entry


def take_back(
    account: Account,
    policy: PointsPolicy,
    now: datetime,
    due: int,
    reason: str,
    source: str,
    *,
    first_from: dict[str, int] | None = None,
) -> tuple[Account, Entry]:
    """Points once earned, owed back (a refund, a claw-back): ``due`` drawn from the lots (from the
    ``first_from`` lots first, then first to expire first), never below a zero balance; what the
    balance cannot cover is recorded on the entry as ``unrecovered``. They no longer count as earned."""
    lots, draws = rules.draw_from(account.lots, first_from or {})
    taken = -sum(d.points for d in draws)
    rest = min(due - taken, sum(lot.remaining for lot in lots))
    if rest:
        lots, more = rules.draw(lots, rest)
        draws += more
        taken += rest
    entry = new_entry(
        account, "reversal", -taken, reason, source, now, earned=-due, unrecovered=due - taken, lots=draws
    )
    after = account.model_copy(
        update={
            "balance": entry.balance_after,
            "lots": lots,
            "lifetime_earned": account.lifetime_earned - due,
            "earned_by_month": rules.add_earned(account, -due, now, policy),
        }
    )
    return after, entry


# ---- credits -------------------------------------------------------------------------------

CreditHook = Callable[[Transaction, Entry], None]
"""The caller's own items (a check-in streak, an order), added to the credit's transaction once
its entry is known: a ``Prepare`` that also needs the entry."""


def credit(
    tenant_id: str,
    contact_id: str,
    points: int,
    reason: str,
    source: str,
    *,
    kind: str,
    brand: str | None = None,
    record: CreditHook | None = None,
    policy: PointsPolicy | None = None,
    expect_new_account: bool = False,
    holder_only: bool = False,
) -> Applied:
    """Credit once per source as a new lot, within the caps of the earning rule for ``kind``.

    What a cap withholds is written on the entry as ``capped``; ``record`` adds the caller's own
    items (a check-in streak, an order) to the same transaction. ``holder_only``: ``contact_id``
    must hold its own points (``record`` writes its items); ``HolderMoved`` if a merge moved them."""

    def plan(account: Account, policy: PointsPolicy, now: datetime) -> Plan:
        if holder_only and account.contact_id != contact_id:
            raise HolderMoved(f"{contact_id} was merged into another contact meanwhile")
        allowed = rules.allowance(account, policy, kind, brand, points, now)
        after, entry = add_lot(
            account, policy, now, allowed.points, "credit", reason, source, earned=True, capped=allowed.capped
        )
        after = after.model_copy(update={"caps_used": allowed.caps_used})
        events: list[BaseModel] = []
        if allowed.points:
            events.append(
                PointsAwarded(
                    contact_id=account.contact_id,
                    entry_id=entry.entry_id,
                    points=allowed.points,
                    balance=after.balance,
                    lifetime_earned=after.lifetime_earned,
                    reason=reason,
                    source=source,
                )
            )
        prepare = [] if record is None else [lambda tx: record(tx, entry)]
        return Plan(after=after, entry=entry, events=events, prepare=prepare)

    return change(tenant_id, contact_id, plan, policy=policy, expect_new_account=expect_new_account)


def on_conversion(tenant_id: str, conversion: CampaignConversionRecorded) -> None:
    if not conversion.rewarded or conversion.points <= 0:
        return
    credit(
        tenant_id,
        conversion.contact_id,
        conversion.points,
        f"campaign_{conversion.kind}",
        f"conversion:{conversion.conversion_id}",
        kind="campaign",
        # A scan that acquired the contact is, nearly always, a new member's first points.
        expect_new_account=conversion.kind == "acquisition",
    )


def change_once(
    tenant_id: str,
    contact_id: str,
    build: Callable[[], Planner],
    *,
    key: str | None,
    scope: str,
    request: BaseModel,
    answer_type: type[M],
    answer: Callable[[Account, Entry | None], M],
) -> M:
    """``change`` for a creating POST with an Idempotency-Key: the key's record and its answer are
    written in the change's own transaction; a replay gets the first answer. ``build`` runs only
    for a new request, so its checks (is the reward offered?) never refuse a replay."""

    def write(claim: Callable[[M], Prepare]) -> M:
        planner = build()

        def planned(account: Account, policy: PointsPolicy, now: datetime) -> Plan:
            plan = planner(account, policy, now) or Plan(after=account)
            plan.prepare.insert(0, claim(answer(plan.after, plan.entry)))
            return plan

        applied = change(tenant_id, contact_id, planned)
        return answer(applied.account, applied.plan.entry)

    return idempotency.once_per_key(
        table=dal.table(),
        tenant_id=tenant_id,
        scope=scope,
        key=key,
        request=request,
        answer_type=answer_type,
        write=write,
    )
