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
from shared.params import Cursor, Id, Limit


@api.route("POST /v1/me/cases", status=201, idempotent=True)
def file_case(body: MemberCaseCreate) -> MemberCaseView:
    """File a complaint, inquiry, after-sales request or feedback (accepts Idempotency-Key)."""
    return cases.file_for_member(api.member(), body, api.idempotency_key())


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


@api.route("POST /v1/me/cases/{case_id}/messages", status=201)
def write_to_case(case_id: Id, body: MemberMessageCreate) -> MessageView:
    """Add to the thread; a case waiting on the member, or resolved, goes back to work."""
    return MessageView.of(cases.member_message(api.member(), case_id, body), for_member=True)


@api.route("POST /v1/me/cases/{case_id}/csat", status=201)
def rate_case(case_id: Id, body: CsatCreate) -> MemberCaseView:
    """Rate a resolved case 1 to 5, once per resolution; a low rating may reopen it."""
    return MemberCaseView.of(cases.rate(api.member(), case_id, body))
