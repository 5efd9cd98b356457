"""After-sales requests from partner systems (shops, ERP): each opens one after-sales case.

The same request sent twice, even as two different events, opens one case: a source marker keyed
by partner and request id is written with the case. The buyer sees it among their cases; replies
reach them in the mini-program's thread (the partner's event names no WeChat channel).
"""

from __future__ import annotations

from services.cases.dal import cases as dal
from services.cases.logic.intake import Draft, open_case
from services.cases.models import Actor
from services.cases.service import PARTNER_REQUESTS_CONSUMER
from shared.consumer import AlreadyProcessed
from shared.events.partner import AfterSalesRequested
from shared.inbox import handled


def open_for(tenant_id: str, partner: str, request: AfterSalesRequested, event_id: str) -> None:
    draft = Draft(
        type="after_sales",
        subject=request.subject,
        description=request.description,
        intake="partner",
        opened_by=Actor(kind="system", id=partner),
        contact_id=request.contact_id,
        brand=request.brand,
        order_id=request.order_id,
    )
    once = dal.claim_source(
        tenant_id,
        f"{partner}#after-sales#{request.request_id}",
        draft.case_id,
        AlreadyProcessed(f"{partner} request {request.request_id} has a case already"),
    )
    open_case(tenant_id, draft, [handled(PARTNER_REQUESTS_CONSUMER.name, tenant_id, event_id), once])
