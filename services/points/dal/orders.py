"""Partner orders as points knows them: what each earned and what its refunds took back.

Item: T#{t}#ORDER#{partner}#{order_id} / ORDER — contact, amount, earned points and their lot, refunds
(each refund id once), version. Refunds find the order (and its buyer) by the partner and order id alone."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from services.points.dal.ledger import table
from shared import dynamo
from shared.consumer import AlreadyProcessed
from shared.dynamo import Transaction
from shared.errors import Conflict


class OrderChanged(Conflict):
    """Not a ConcurrentUpdate: retrying the account alone would reuse the stale order."""


class Refund(BaseModel):
    refund_id: str
    requested_fen: int
    applied_fen: int  # what was left of the order to refund
    points_due: int  # points this refund owes back


class Order(BaseModel):
    tenant_id: str
    order_id: str
    contact_id: str
    partner: str
    brand: str
    amount_fen: int
    earned: int
    lot_id: str | None = None  # None when the order earned nothing (absent from the item: None is not stored)
    refunds: list[Refund] = Field(default_factory=list)
    version: int = 1

    @property
    def refunded_fen(self) -> int:
        return sum(r.applied_fen for r in self.refunds)

    @property
    def reversed_points(self) -> int:
        return sum(r.points_due for r in self.refunds)


def _key(tenant_id: str, partner: str, order_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#ORDER#{partner}#{order_id}", "sk": "ORDER"}


def get(tenant_id: str, partner: str, order_id: str) -> Order | None:
    item = dynamo.get_item(table(), _key(tenant_id, partner, order_id))
    return Order.model_validate(item) if item else None


def create(tx: Transaction, order: Order) -> None:
    item: dict[str, Any] = {
        **_key(order.tenant_id, order.partner, order.order_id),
        "kind": "order",
        **order.model_dump(),
    }
    tx.create(item, on_fail=AlreadyProcessed(f"order {order.order_id} was already recorded"))


def save(tx: Transaction, before: Order, after: Order) -> None:
    item: dict[str, Any] = {
        **_key(after.tenant_id, after.partner, after.order_id),
        "kind": "order",
        **after.model_dump(),
    }
    item["version"] = before.version + 1
    tx.put(
        item,
        condition="version = :version",
        values={":version": before.version},
        on_fail=OrderChanged("The order changed meanwhile."),
    )
