"""Scans: recorded with their statistics and announced, whatever the campaign's state."""

from __future__ import annotations

from services.campaigns.dal import campaigns as dal
from shared import ids
from shared.auth.principal import MemberPrincipal
from shared.clock import utc_now
from shared.errors import ConcurrentUpdate, NotFound
from shared.events.campaigns import QrCodeScanned
from shared.retry import retry_on_race

# The first write tells which scopes the scanner knew; a second learns of a scope only by racing.
SCAN_ATTEMPTS = 3


def scan(member: MemberPrincipal, code_value: str) -> str:
    code = dal.get_code(member.tenant_id, code_value)
    if code is None:  # also what a code of another tenant looks like
        raise NotFound("No such code.")
    scan_id = ids.new_id("sc_")
    event = QrCodeScanned(
        scan_id=scan_id,
        contact_id=member.contact_id,
        campaign_id=code.campaign_id,
        code=code.code,
        channel=code.channel,
        store=code.store,
        staff_id=code.staff_id,
        brand=code.brand,
        scanned_at=utc_now(),
    )
    known = dal.remembered_scanner_scopes(member.tenant_id, code.campaign_id, member.contact_id)

    def record(_: int) -> None:
        # A scanner this function has not seen here is assumed new; if it was not, the failed write
        # says in which scopes it had scanned, and the second one counts it as returning there.
        try:
            dal.record_scan(code, member.contact_id, scan_id, event.scanned_at.isoformat(), event, known)
        except dal.ScannersKnown as error:
            known.update(error.scopes)
            raise

    retry_on_race(
        record,
        races=dal.ScannersKnown,
        attempts=SCAN_ATTEMPTS,
        exhausted=lambda: ConcurrentUpdate("The scan raced with another; try again."),
        backoff=False,  # a returning scanner is the common case, not a collision: no reason to wait
    )
    return scan_id
