"""Partner orders: paid orders earn points by the brand's rate; refunds take them back.

- Earned: floor(amount in yuan x the rule's points_per_yuan), within the rule's caps, as a lot.
- A refund owes back floor(earned x refunded so far / amount) less what earlier refunds took; it
  takes first from the order's own lot, then from the other lots, never below zero (what the
  balance cannot cover is recorded as unrecovered). A refund beyond what is left of the order is
  recorded and applies nothing; the same refund id twice changes nothing.
- A refund that arrives before its order is retried until the order is known.
- An order naming its buyer only by an identity waits for contacts to resolve it
  (OrderBuyerIdentified); its refunds wait with it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from services.points.dal import ledger as dal
from services.points.dal import orders as order_dal
from services.points.dal.orders import Order, OrderChanged, Refund
from services.points.logic import account_rules as rules
from services.points.logic.ledger import Plan, change, credit, take_back
from services.points.models import Account, Entry
from services.points.policy import PointsPolicy
from shared.consumer import AlreadyProcessed
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate
from shared.events.partner import OrderPaid, OrderRefunded
from shared.events.points import PointsReversed
from shared.retry import retry_on_race

ATTEMPTS = 5


class OrderNotYetKnown(Exception):
    """The refund came first; the queue redelivers it after its visibility timeout."""


def points_for(policy: PointsPolicy, brand: str, amount_fen: int) -> int:
    rule = rules.rule_for(policy, "order", brand)
    if rule is None or not rule.points_per_yuan:
        return 0
    yuan = Decimal(amount_fen) / 100
    return int((yuan * Decimal(str(rule.points_per_yuan))).to_integral_value(rounding=ROUND_FLOOR))


def on_paid(tenant_id: str, partner: str, order: OrderPaid) -> None:
    if order.contact_id is None:
        return  # identity only: credited on contacts' OrderBuyerIdentified
    contact_id = order.contact_id
    policy = dal.get_policy(tenant_id)
    points = points_for(policy, order.brand, order.amount_fen)
    record = Order(
        tenant_id=tenant_id,
        order_id=order.order_id,
        contact_id=contact_id,
        partner=partner,
        brand=order.brand,
        amount_fen=order.amount_fen,
        earned=0,
        lot_id=None,
    )

    def remember(tx: Transaction, entry: Entry) -> None:
        order_dal.create(
            tx, record.model_copy(update={"earned": entry.points, "lot_id": entry.entry_id if entry.points else None})
        )

    source = f"order:{partner}:{order.order_id}"
    credit(
        tenant_id, contact_id, points, "order", source, kind="order", brand=order.brand, record=remember, policy=policy
    )


def on_refunded(tenant_id: str, partner: str, refund: OrderRefunded) -> None:
    # Another refund of the same order landing first moves the order: read it again.
    retry_on_race(
        lambda _: _refund(tenant_id, partner, refund),
        races=OrderChanged,
        attempts=ATTEMPTS,
        exhausted=lambda: ConcurrentUpdate("The order is too busy; the refund will be retried."),
    )


def _refund(tenant_id: str, partner: str, refund: OrderRefunded) -> None:
    order = order_dal.get(tenant_id, partner, refund.order_id)
    if order is None:
        raise OrderNotYetKnown(f"order {refund.order_id} is not known yet")
    if any(r.refund_id == refund.refund_id for r in order.refunds):
        raise AlreadyProcessed(f"refund {refund.refund_id} was already applied")
    applied_fen = min(refund.amount_fen, order.amount_fen - order.refunded_fen)
    owed_total = order.earned * (order.refunded_fen + applied_fen) // order.amount_fen
    due = owed_total - order.reversed_points
    after_order = order.model_copy(
        update={
            "refunds": [
                *order.refunds,
                Refund(
                    refund_id=refund.refund_id,
                    requested_fen=refund.amount_fen,
                    applied_fen=applied_fen,
                    points_due=due,
                ),
            ]
        }
    )

    def plan(account: Account, policy: PointsPolicy, now: datetime) -> Plan:
        own = {order.lot_id: due} if order.lot_id else {}
        source = f"refund:{partner}:{order.order_id}:{refund.refund_id}"
        after, entry = take_back(account, policy, now, due, "order_refunded", source, first_from=own)
        taken = -entry.points
        event = PointsReversed(
            contact_id=account.contact_id,
            entry_id=entry.entry_id,
            balance=after.balance,
            order_id=order.order_id,
            refund_id=refund.refund_id,
            points=taken,
            unrecovered=due - taken,
            lifetime_earned=after.lifetime_earned,
        )
        return Plan(
            after=after, entry=entry, events=[event], prepare=[lambda tx: order_dal.save(tx, order, after_order)]
        )

    change(tenant_id, order.contact_id, plan)
