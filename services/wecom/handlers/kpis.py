"""Consumer: the facts staff KPIs count (friendships, scans, cases, owners, orders, the directory)."""

from __future__ import annotations

from typing import Any

from services.wecom.logic import kpis
from services.wecom.service import KPIS_CONSUMER
from shared.consumer import EventConsumer, WithSource
from shared.events.campaigns import QrCodeScanned
from shared.events.cases import CaseAssignmentChanged, CaseMessageAdded, CaseRated, CaseStatusChanged
from shared.events.contacts import ContactCreated, ContactOwnerChanged, OrderBuyerIdentified
from shared.events.envelope import Envelope
from shared.events.outreach import StaffTaskChanged
from shared.events.partner import OrderPaid
from shared.events.wecom import WeComContactAdded, WeComContactRemoved, WeComStaffChanged


def _ids(event: Envelope[Any]) -> tuple[str, str]:
    return event.metadata.tenant_id, event.metadata.event_id


def on_added(event: Envelope[WeComContactAdded]) -> None:
    kpis.contact_added(*_ids(event), event.data)


def on_removed(event: Envelope[WeComContactRemoved]) -> None:
    kpis.contact_removed(*_ids(event), event.data)


def on_staff_changed(event: Envelope[WeComStaffChanged]) -> None:
    kpis.staff_changed(*_ids(event), event.metadata.occurred_at, event.data)


def on_scanned(event: Envelope[QrCodeScanned]) -> None:
    kpis.scanned(*_ids(event), event.data)


def on_assignment(event: Envelope[CaseAssignmentChanged]) -> None:
    kpis.case_assigned(*_ids(event), event.metadata.occurred_at, event.data)


def on_status(event: Envelope[CaseStatusChanged]) -> None:
    kpis.case_status_changed(*_ids(event), event.metadata.occurred_at, event.data)


def on_message(event: Envelope[CaseMessageAdded]) -> None:
    kpis.case_message_added(*_ids(event), event.metadata.occurred_at, event.data)


def on_rated(event: Envelope[CaseRated]) -> None:
    kpis.case_rated(*_ids(event), event.metadata.occurred_at, event.data)


def on_task_changed(event: Envelope[StaffTaskChanged]) -> None:
    kpis.task_changed(*_ids(event), event.data)


def on_contact_created(event: Envelope[ContactCreated]) -> None:
    kpis.contact_created(*_ids(event), event.data)


def on_owner_changed(event: Envelope[ContactOwnerChanged]) -> None:
    kpis.owner_changed(*_ids(event), event.data)


def on_buyer_identified(event: Envelope[OrderBuyerIdentified]) -> None:
    order = event.data
    kpis.order_paid(
        *_ids(event),
        event.metadata.occurred_at,
        partner=order.partner,
        order_id=order.order_id,
        contact_id=order.contact_id,
        amount_fen=order.amount_fen,
    )


def on_order_paid(event: Envelope[OrderPaid], source: str) -> None:
    order = event.data
    kpis.order_paid(
        *_ids(event),
        event.metadata.occurred_at,
        partner=source,
        order_id=order.order_id,
        contact_id=order.contact_id,
        amount_fen=order.amount_fen,
    )


handler = EventConsumer(
    name=KPIS_CONSUMER.name,
    handlers={
        "WeComContactAdded": on_added,
        "WeComContactRemoved": on_removed,
        "WeComStaffChanged": on_staff_changed,
        "QrCodeScanned": on_scanned,
        "CaseAssignmentChanged": on_assignment,
        "CaseStatusChanged": on_status,
        "CaseMessageAdded": on_message,
        "CaseRated": on_rated,
        "StaffTaskChanged": on_task_changed,
        "ContactCreated": on_contact_created,
        "ContactOwnerChanged": on_owner_changed,
        "OrderBuyerIdentified": on_buyer_identified,
        "OrderPaid": WithSource(on_order_paid),
    },
)
