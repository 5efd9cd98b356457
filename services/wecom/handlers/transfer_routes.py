"""Transfers of customers between staff members (在职继承, 离职继承): start, progress, outcomes."""

from __future__ import annotations

from typing import Annotated, Literal

from services.wecom.handlers.resolver import api
from services.wecom.logic import transfers
from services.wecom.transfer_models import (
    TransferCustomerList,
    TransferGroupList,
    TransferList,
    TransferRequest,
    TransferView,
)
from shared.params import Cursor, Limit, Path, Query

TransferId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^wt_[A-Za-z0-9]+$")]


@api.route("POST /v1/wecom/transfers", status=202)
def start_transfer(body: TransferRequest) -> TransferView:
    """Start moving customers from one staff member to another: the listed ``external_userids``
    (at most 10,000) or ``all`` of from_staff's active customers; ``departed`` when from_staff
    left. Sent to WeCom in batches of 100 by a job; WeCom settles each customer within 24 h.
    422 when to_staff is not an active member of the directory (unknown or departed)."""
    return transfers.start(api.staff(), body)


@api.route("GET /v1/wecom/transfers")
def list_transfers(
    from_staff: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> TransferList:
    """Transfers, newest first: from one staff member's, or the tenant's."""
    return transfers.listing(api.staff().tenant_id, from_staff, limit, cursor)


@api.route("GET /v1/wecom/transfers/{transfer_id}")
def read_transfer(transfer_id: TransferId) -> TransferView:
    """A transfer's progress: total, sent, succeeded, failed, skipped, waiting."""
    return transfers.view(api.staff().tenant_id, transfer_id)


@api.route("GET /v1/wecom/transfers/{transfer_id}/customers")
def list_transfer_customers(
    transfer_id: TransferId,
    outcome: Annotated[Literal["waiting", "succeeded", "failed", "skipped"] | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> TransferCustomerList:
    """Each customer sent so far, with its outcome and the reason of a skip or failure."""
    return transfers.customers(api.staff().tenant_id, transfer_id, outcome, limit, cursor)


@api.route("GET /v1/wecom/transfers/{transfer_id}/groups")
def list_transfer_groups(
    transfer_id: TransferId,
    outcome: Annotated[Literal["moved", "failed"] | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> TransferGroupList:
    """A departed transfer's customer groups sent so far, with their outcome and a failure's reason."""
    return transfers.groups(api.staff().tenant_id, transfer_id, outcome, limit, cursor)
