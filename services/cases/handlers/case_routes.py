"""Staff's case routes (the console). Parse, authorise, call the logic, shape the answer."""

from __future__ import annotations

from typing import Annotated

from services.cases.api_models import (
    CaseDetail,
    CaseList,
    CasePatch,
    CaseView,
    MessageView,
    StaffCaseCreate,
    StaffMessageCreate,
    Stats,
    SweepReport,
)
from services.cases.handlers.resolver import api
from services.cases.logic import cases, sla
from services.cases.models import CaseFilters, Status
from shared.events.cases import Priority
from shared.params import Cursor, Id, Limit, Query

Filter = Annotated[str | None, Query(min_length=1, max_length=64)]


@api.route("POST /v1/cases", status=201, idempotent=True, errors=(404,))
def create_case(body: StaffCaseCreate) -> CaseView:
    """Open a case for a contact (or none), routed like any other (accepts Idempotency-Key)."""
    return cases.create_by_staff(api.staff(), body, api.idempotency_key())


@api.route("GET /v1/cases")
def list_cases(
    status: Annotated[Status | None, Query()] = None,
    queue_id: Filter = None,
    assignee: Filter = None,
    priority: Annotated[Priority | None, Query()] = None,
    breached: Annotated[bool | None, Query()] = None,
    contact_id: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> CaseList:
    """Cases, newest first; filters: status, queue_id, assignee, priority, breached, contact_id
    (a contact's cases, read from their own index)."""
    filters = CaseFilters(
        status=status, queue_id=queue_id, assignee=assignee, priority=priority, breached=breached, contact_id=contact_id
    )
    found, next_cursor = cases.list_cases(api.staff().tenant_id, filters, limit, cursor)
    return CaseList(items=[CaseView.of(case) for case in found], next_cursor=next_cursor)


@api.route("POST /v1/cases/sla-checks")
def run_sla_checks() -> SweepReport:
    """Run the scheduled SLA sweep now for this tenant: mark breaches, close resolved cases due."""
    from services.cases.logic import sla_sweep  # an operator's route: the rest never needs it

    return sla_sweep.sweep(api.staff().tenant_id)


@api.route("GET /v1/cases/stats")
def case_stats(days: Annotated[int, Query(ge=1, le=90)] = 30) -> Stats:
    """Open cases by status and queue, response and resolution medians, SLA hit rate, CSAT, per
    agent — over the cases opened in the last ``days`` days."""
    from services.cases.logic import stats  # a manager's report: the rest never needs it

    return stats.for_tenant(api.staff().tenant_id, days)


@api.route("GET /v1/cases/{case_id}")
def get_case(case_id: Id) -> CaseDetail:
    """A case with its whole thread (internal notes included), history, and SLA due times with
    the business minutes left."""
    record = cases.record(api.staff().tenant_id, case_id)
    return CaseDetail(
        **CaseView.of(record.case).model_dump(),
        messages=[MessageView.of(message) for message in record.messages],
        history=record.history,
        sla=sla.view_now(record.case),
    )


@api.route("PATCH /v1/cases/{case_id}")
def patch_case(case_id: Id, body: CasePatch) -> CaseView:
    """Move the status, change priority or tags, assign, unassign (assignee: null) or transfer."""
    return CaseView.of(cases.patch(api.staff(), case_id, body))


@api.route("POST /v1/cases/{case_id}/messages/{message_id}/retry")
def retry_reply(case_id: Id, message_id: Id) -> MessageView:
    """Send a held or failed reply again through the member's channel."""
    return MessageView.of(cases.retry_reply(api.staff(), case_id, message_id))


@api.route("POST /v1/cases/{case_id}/messages", status=201)
def write_to_case(case_id: Id, body: StaffMessageCreate) -> MessageView:
    """Reply to the member through their channel, or add an internal note."""
    return MessageView.of(cases.staff_message(api.staff(), case_id, body))
