"""Members' case routes (the mini-program). Parse, authorise, call the logic, shape the answer."""

from __future__ import annotations

from services.cases.api_models import (
    CsatCreate,
    MemberCaseCreate,
    MemberCaseDetail,
    MemberCaseList,
    MemberCaseView,
    MemberMessageCreate,
    MessageView,
)
from services.cases.handlers.resolver import api
from services.cases.logic import cases
from shared.http import Response, json_response
from shared.params import Cursor, Id, Limit


@api.route("POST /v1/me/cases")
def file_case(body: MemberCaseCreate) -> Response[str]:
    """File a complaint, inquiry, after-sales request or feedback (accepts Idempotency-Key)."""
    return json_response(cases.file_for_member(api.member(), body, api.idempotency_key()), 201)


@api.route("GET /v1/me/cases")
def my_cases(limit: Limit = 50, cursor: Cursor = None) -> MemberCaseList:
    """The member's cases, newest first."""
    found, next_cursor = cases.member_cases(api.member(), limit, cursor)
    return MemberCaseList(items=[MemberCaseView.of(case) for case in found], next_cursor=next_cursor)


@api.route("GET /v1/me/cases/{case_id}")
def my_case(case_id: Id) -> MemberCaseDetail:
    """One of the member's cases with its thread (staff's internal notes left out)."""
    record = cases.member_record(api.member(), case_id)
    return MemberCaseDetail(
        **MemberCaseView.of(record.case).model_dump(),
        messages=[MessageView.of(message, for_member=True) for message in record.messages],
    )


@api.route("POST /v1/me/cases/{case_id}/messages")
def write_to_case(case_id: Id, body: MemberMessageCreate) -> Response[str]:
    """Add to the thread; a case waiting on the member, or resolved, goes back to work."""
    message = cases.member_message(api.member(), case_id, body)
    return json_response(MessageView.of(message, for_member=True), 201)


@api.route("POST /v1/me/cases/{case_id}/csat")
def rate_case(case_id: Id, body: CsatCreate) -> Response[str]:
    """Rate a resolved case 1 to 5, once per resolution; a low rating may reopen it."""
    case = cases.rate(api.member(), case_id, body)
    return json_response(MemberCaseView.of(case), 201)
