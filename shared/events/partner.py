"""Events partner systems (shops, POS, ERP) publish with ``source: partner.<name>``.

Siyu consumes these; the published schemas are what a partner builds against."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from shared.events.envelope import EventData, Fen, Label

MAX_CATEGORIES = 20

PartnerId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]


class Identity(EventData):
    kind: Literal["phone", "email", "wechat_unionid"]
    value: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class OrderPaid(EventData):
    order_id: PartnerId
    contact_id: PartnerId | None = Field(default=None, description="Siyu's contact id, when the partner knows it.")
    identity: Identity | None = Field(default=None, description="Otherwise an identity of the buyer.")
    amount_fen: Fen = Field(description="The amount paid, in fen.")
    brand: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    categories: list[Label] = Field(
        default_factory=list,
        max_length=MAX_CATEGORIES,
        description="The order's product categories (e.g. 母婴), optional: auto-tag rules and segments read them.",
    )

    @model_validator(mode="after")
    def _names_the_buyer(self) -> OrderPaid:
        if self.contact_id is None and self.identity is None:
            raise ValueError("contact_id or identity is required")
        return self


class OrderRefunded(EventData):
    order_id: PartnerId
    refund_id: PartnerId
    amount_fen: Fen = Field(description="The amount refunded by this refund, in fen.")


class AfterSalesRequested(EventData):
    """A buyer asked the shop for after-sales service (return, exchange, repair); Siyu opens a case."""

    request_id: PartnerId = Field(description="The partner's id for the request; one case per partner and request.")
    order_id: PartnerId
    contact_id: PartnerId = Field(description="Siyu's contact id of the buyer.")
    brand: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    subject: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(max_length=4000)] = ""


EVENTS: dict[str, type[EventData]] = {
    "OrderPaid": OrderPaid,
    "OrderRefunded": OrderRefunded,
    "AfterSalesRequested": AfterSalesRequested,
}
