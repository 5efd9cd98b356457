"""Scans: recorded with their statistics and announced, whatever the campaign's state."""

from __future__ import annotations

from services.campaigns.dal import campaigns as dal
from shared import ids
from shared.auth.principal import MemberPrincipal
from shared.clock import utc_now
from shared.errors import ConcurrentUpdate, NotFound
from shared.events.campaigns import QrCodeScanned


def scan(member: MemberPrincipal, code_value: str) -> str:
    code = dal.get_code(member.tenant_id, code_value)
    if code is None:  # also what a code of another tenant looks like
        raise NotFound("No such code.")
    scan_id = ids.new_id("sc_")
    scanned_at = utc_now()
    event = QrCodeScanned(
        scan_id=scan_id,
        contact_id=member.contact_id,
        campaign_id=code.campaign_id,
        code=code.code,
        channel=code.channel,
        store=code.store,
        staff_id=code.staff_id,
        brand=code.brand,
        scanned_at=scanned_at,
    )
    known: set[str] = set()
    # A new scanner is assumed; a returning one costs one more write, told which scopes it knew.
    for _ in range(3):
        try:
            dal.record_scan(code, member.contact_id, scan_id, event.scanned_at.isoformat(), event, known)
            return scan_id
        except dal.ScannersKnown as error:
            known |= error.scopes
    raise ConcurrentUpdate("The scan raced with another; try again.")
