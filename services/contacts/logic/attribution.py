"""First-touch attribution: a contact's acquisition source is the first code it scanned while it
had none; the code's staff member becomes its owner if it has none for the campaign's brand."""

from __future__ import annotations

from pydantic import BaseModel

from services.contacts.dal import contacts as dal
from services.contacts.dal import insight as insight_dal
from services.contacts.logic import insight
from services.contacts.logic.merging import resolve
from services.contacts.logic.timeline import follow_fact
from services.contacts.models import TENANT_WIDE, Contact, TimelineEntry
from shared.clock import now_rfc3339, rfc3339
from shared.consumer import AlreadyProcessed, processed_marker
from shared.dynamo import Transaction
from shared.events.campaigns import QrCodeScanned
from shared.events.contacts import ContactOwnerChanged, ScanAttributed
from shared.observability import logger

SCAN_MARKER = "contacts-scan-attribution"
"""The once-only marker's scope: one per scan id, tenant-wide (not under the contact)."""


def source_of(scan: QrCodeScanned) -> dict[str, str]:
    fields = {
        "type": "campaign_code",
        "campaign_id": scan.campaign_id,
        "code": scan.code,
        "channel": scan.channel,
        "store": scan.store,
        "staff_id": scan.staff_id,
        "scan_id": scan.scan_id,
        "acquired_at": scan.scanned_at.isoformat(),
    }
    return {key: value for key, value in fields.items() if value}


def attribute(contact: Contact, scan: QrCodeScanned) -> tuple[Contact, list[BaseModel]]:
    """The contact after the scan, and the events that announce it (ScanAttributed always)."""
    acquired = contact.source is None
    changes: dict[str, object] = {}
    events: list[BaseModel] = []
    if acquired:
        changes["source"] = source_of(scan)
    brand = scan.brand or TENANT_WIDE
    owner_assigned = scan.staff_id is not None and brand not in contact.owners
    if owner_assigned:
        changes["owners"] = {**contact.owners, brand: scan.staff_id}
    updated = contact
    if changes:
        updated = contact.model_copy(update={**changes, "version": contact.version + 1, "updated_at": now_rfc3339()})
    if owner_assigned:
        events.append(
            ContactOwnerChanged(
                contact_id=contact.contact_id,
                version=updated.version,
                brand=brand,
                previous_owner=None,
                owner=scan.staff_id,
            )
        )
    # A scan by a contact since merged is the survivor's: the answer names the survivor.
    ref = {**scan.ref(), "contact_id": contact.contact_id}
    events.append(ScanAttributed(**ref, acquired=acquired, scanned_at=scan.scanned_at))
    return updated, events


def on_scan(tenant_id: str, scan: QrCodeScanned) -> None:
    contact = resolve(tenant_id, scan.contact_id)
    if contact is None or contact.erased:
        logger.info("scan by an unknown or erased contact ignored", extra={"scan_id": scan.scan_id})
        return
    updated, events = attribute(contact, scan)
    # The scan's own id and time key its entry (it has no other event about this contact).
    fact = TimelineEntry(
        event_id=scan.scan_id,
        type="QrCodeScanned",
        occurred_at=rfc3339(scan.scanned_at),
        source="siyu.campaigns",
        summary={
            "scan_id": scan.scan_id,
            "campaign_id": scan.campaign_id,
            "code": scan.code,
            "channel": scan.channel,
            "store": scan.store,
            "staff_id": scan.staff_id,
            "brand": scan.brand,
            "acquired": contact.source is None,
        },
    )

    settings = insight_dal.settings(tenant_id)

    def timeline(tx: Transaction) -> None:
        # Once per scan, whoever the scanning contact resolves to now: a scan handled under an
        # alias before its merge and redelivered after it finds the tenant-wide marker and stops
        # (ScanAttributed must not be published twice, and the survivor may not hold the entry yet).
        processed_marker(tx, SCAN_MARKER, tenant_id, scan.scan_id)
        dal.add_timeline_entry(tx, tenant_id, contact.contact_id, fact)
        insight.on_fact(tenant_id, contact.contact_id, fact, settings)(tx)

    try:
        dal.save(contact, updated, events, prepare=timeline)
    except AlreadyProcessed:
        # A redelivery: the delivery that wrote the scan may have failed before these (both
        # idempotent), so they run again before the event counts as handled.
        follow_fact(tenant_id, contact.contact_id, fact, settings, contact.contact_id)
        raise
    follow_fact(tenant_id, contact.contact_id, fact, settings, contact.contact_id)
