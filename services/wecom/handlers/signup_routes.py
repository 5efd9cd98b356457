"""群接龙: sign-up sheets posted to customer groups (staff) and joined through their H5 link (members)."""

from __future__ import annotations

from typing import Annotated

from services.wecom.group_models import ChatId, MySignupView, SignupDetail, SignupList, SignupRequest, SignupView
from services.wecom.handlers.resolver import api
from services.wecom.logic import signups
from shared.params import Cursor, Limit, Path, Query

SheetId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^su_[A-Za-z0-9]+$")]


@api.route("POST /v1/wecom/signups", status=201, errors=(404,))
def create_signup(body: SignupRequest) -> SignupView:
    """Post a sign-up sheet to a customer group the staff member may see (404 otherwise): its
    ``link_path`` is the H5 page members join on."""
    return signups.create(api.staff(), body)


@api.route("GET /v1/wecom/signups", errors=(404,))
def list_signups(
    chat_id: Annotated[ChatId | None, Query()] = None, limit: Limit = 50, cursor: Cursor = None
) -> SignupList:
    """Sign-up sheets, newest first: a group's (``chat_id``, required for a guide) or the tenant's."""
    return signups.list_sheets(api.staff(), chat_id, limit, cursor)


@api.route("GET /v1/wecom/signups/{sheet_id}", errors=(404,))
def read_signup(sheet_id: SheetId) -> SignupDetail:
    """A sign-up sheet with its entries in number order."""
    return signups.detail(api.staff(), sheet_id)


@api.route("GET /v1/me/signups/{sheet_id}", errors=(404,))
def read_my_signup(sheet_id: SheetId) -> MySignupView:
    """The sheet as a member sees it (places left, open or closed) and the member's own place."""
    return signups.mine(api.member(), sheet_id)


@api.route("POST /v1/me/signups/{sheet_id}/entries", status=201, errors=(404, 409))
def join_signup(sheet_id: SheetId) -> MySignupView:
    """Join the sheet: the member's number, 1..capacity (the lowest one a withdrawal gave back,
    else the next). 409 ``full``, ``closed`` (past the deadline) or ``already_joined`` (a
    repeated join never takes a second place)."""
    return signups.join(api.member(), sheet_id)


@api.route("DELETE /v1/me/signups/{sheet_id}/entries", errors=(404, 409))
def withdraw_signup(sheet_id: SheetId) -> MySignupView:
    """Give the member's place back (the next member to join takes its number); 404 when they
    hold none, 409 ``closed`` past the deadline."""
    return signups.withdraw(api.member(), sheet_id)
