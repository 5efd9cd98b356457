"""A staff member left (离职): their customers go to a successor (``wecom-departures``).

On ``WeComStaffChanged`` with status departed, the first of the member's ``managers`` (their
departments' leaders, as the directory reports them) who is an active member of the directory —
and not the departed member — is the successor: a departed transfer of all the member's active
customers starts at once, with ``WeComStaffSucceeded`` (contacts and cases move the member's owned
contacts and open cases); after its customers' batches the transfer gives the member's customer
groups to the successor (``logic/transfers.py``, one ``WeComGroupTransferred`` per group). With
no such manager the departure is recorded as awaiting a successor; an admin starts it by hand
with ``POST /v1/wecom/transfers {from_staff, to_staff, all: true, departed: true}``, which
records it started.

Once per member: the directory reports a departed member at every sync, and the departure item is
created only if absent, in the transaction that starts the transfer (or records the wait) with
this consumer's marker. A member who comes back and leaves again is not transferred again
automatically (an admin does it by hand).
"""

from __future__ import annotations

from services.wecom.dal import transfers as dal
from services.wecom.dal.table import mark_handled
from services.wecom.logic import transfers
from services.wecom.service import DEPARTURES_CONSUMER
from services.wecom.transfer_models import Departure
from shared import clock, ids
from shared.events.wecom import WeComStaffChanged
from shared.inbox import handled
from shared.observability import logger

CREATED_BY = "wecom-departures"


def successor_of(tenant_id: str, changed: WeComStaffChanged) -> str | None:
    """The first manager who is an active member of the directory, if any."""
    for manager in changed.managers:
        if manager != changed.staff_id and dal.staff_status(tenant_id, manager) == "active":
            return manager
    return None


def on_staff_changed(tenant_id: str, event_id: str, changed: WeComStaffChanged) -> None:
    marker = handled(DEPARTURES_CONSUMER.name, tenant_id, event_id)
    if changed.status != "departed" or dal.departure(tenant_id, changed.staff_id) is not None:
        mark_handled(DEPARTURES_CONSUMER.name, tenant_id, event_id)
        return
    successor = successor_of(tenant_id, changed)
    record = Departure(
        corp_id=changed.corp_id,
        staff_id=changed.staff_id,
        status="awaiting_successor" if successor is None else "started",
        successor_id=successor,
        departed_at=clock.now_rfc3339(),
    )
    try:
        if successor is None:
            dal.save_departure(tenant_id, record, (marker,))
            logger.info("wecom departure awaits a successor", extra={"staff_id": changed.staff_id})
            return
        transfer_id = ids.new_id("wt_")
        record = record.model_copy(update={"transfer_id": transfer_id})
        transfers.begin(
            tenant_id,
            changed.corp_id,
            changed.staff_id,
            successor,
            departed=True,
            listed=None,
            created_by=CREATED_BY,
            transfer_id=transfer_id,
            prepares=(dal.prepare_departure(tenant_id, record, first=True), marker),
        )
    except dal.DepartureExists:  # recorded meanwhile by another delivery
        mark_handled(DEPARTURES_CONSUMER.name, tenant_id, event_id)
