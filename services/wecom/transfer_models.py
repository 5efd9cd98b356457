"""Transfers of customers between staff members (在职继承, 离职继承): the request, the entity and
what the API answers."""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from services.wecom.models import CorpId, StaffId
from shared.models import Model, StrictModel

MAX_TRANSFER_CUSTOMERS = 10_000
ExternalUserId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
TransferOutcome = Literal["waiting", "succeeded", "failed", "skipped"]
GroupOutcome = Literal["moved", "failed"]
TransferStatus = Literal["sending", "waiting", "done", "failed"]
"""sending: batches still to send; waiting: all sent, WeCom's results awaited (polled); done: every
customer's outcome is final; failed: the transfer could not go on (the reason in ``error``)."""


class TransferRequest(StrictModel):
    """Move customers from one staff member to another: the listed ``external_userids`` (at most
    10,000) or ``all`` the from_staff's active customers in Siyu. ``departed``: the from_staff has
    left (离职继承, WeCom's resigned API); else both are in service (在职继承)."""

    from_staff: StaffId
    to_staff: StaffId
    external_userids: list[ExternalUserId] | None = Field(default=None, min_length=1, max_length=MAX_TRANSFER_CUSTOMERS)
    all: Literal[True] | None = Field(default=None, description="Every active customer of from_staff.")
    departed: bool = False
    corp_id: CorpId | None = Field(default=None, description="Required when the tenant has several corps.")

    @model_validator(mode="after")
    def _one_selection(self) -> "TransferRequest":
        if (self.external_userids is None) == (self.all is None):
            raise ValueError("give exactly one of external_userids and all")
        if self.from_staff == self.to_staff:
            raise ValueError("from_staff and to_staff are the same staff member")
        return self


class TransferCounts(Model):
    total: int = Field(default=0, description="Customers in the transfer (grows while `all` is being read).")
    sent: int = Field(default=0, description="Customers whose batch went to WeCom (skipped ones included).")
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    waiting: int = Field(default=0, description="Started at WeCom; the result is polled (WeCom settles in 24 h).")


class TransferGroupCounts(Model):
    """A departed transfer's customer groups (离职继承 of groups; in-service transfers move none)."""

    moved: int = Field(default=0, description="Groups whose owner is now to_staff.")
    failed: int = Field(default=0, description="Groups WeCom did not give to to_staff (the reason per group).")


class Transfer(Model):
    """One transfer: ``T#{t}#TRANSFER#{transfer_id}`` / ``TRANSFER``."""

    tenant_id: str
    transfer_id: str
    corp_id: str
    from_staff: str
    to_staff: str
    departed: bool
    selection: Literal["list", "all"]
    status: TransferStatus = "sending"
    counts: TransferCounts = Field(default_factory=TransferCounts)
    groups: TransferGroupCounts = Field(default_factory=TransferGroupCounts)
    job_id: str
    error: str | None = None
    created_by: str
    created_at: str
    updated_at: str
    first_result_at: str | None = Field(default=None, description="When WeCom settles the first batch sent.")


class TransferView(Model):
    transfer_id: str
    corp_id: str
    from_staff: str
    to_staff: str
    departed: bool
    selection: Literal["list", "all"]
    status: TransferStatus
    counts: TransferCounts
    groups: TransferGroupCounts
    job_id: str
    error: str | None
    created_by: str
    created_at: str
    updated_at: str


class TransferList(Model):
    items: list[TransferView]
    next_cursor: str | None


class TransferCustomer(Model):
    """One customer's outcome in a transfer: ``T#{t}#TRANSFER#{transfer_id}`` / ``CUST#{external_userid}``."""

    external_userid: str
    outcome: TransferOutcome
    reason: str | None = Field(
        default=None,
        description="Why it was skipped or failed: transfer_limit (WeCom's two transfers per customer in "
        "90 days), transfer_in_progress, not_a_customer, customer_refused, takeover_limit, errcode_<n>…",
    )
    batch: int = Field(description="Which batch of 100 it was sent in (0 first).")
    sent_at: str
    settled_at: str | None = None
    takeover_at: str | None = Field(default=None, description="When WeCom completed (or will complete) the takeover.")


class TransferCustomerList(Model):
    items: list[TransferCustomer]
    next_cursor: str | None


class TransferGroup(Model):
    """One customer group's outcome in a departed transfer: ``T#{t}#TRANSFER#{transfer_id}`` /
    ``GROUP#{chat_id}``."""

    chat_id: str
    name: str | None = None
    outcome: GroupOutcome
    reason: str | None = Field(
        default=None,
        description="Why it failed: owner_not_departed, not_a_customer_group, owner_departed, group_full, "
        "inheritance_in_progress, already_inherited, wecom_not_configured, errcode_<n>…",
    )
    batch: int = Field(description="Which batch of 100 groups it was sent in (0 first).")
    sent_at: str


class TransferGroupList(Model):
    items: list[TransferGroup]
    next_cursor: str | None


DepartureStatus = Literal["awaiting_successor", "started"]


class Departure(Model):
    """A staff member who left (离职): ``T#{t}#DEPARTURE#{staff_id}`` / ``DEPARTURE``. Started at once
    when the directory names a successor (their first active manager), else awaiting an admin's
    ``POST /v1/wecom/transfers {..., departed: true}``."""

    corp_id: str
    staff_id: str
    status: DepartureStatus
    successor_id: str | None = None
    transfer_id: str | None = None
    departed_at: str
