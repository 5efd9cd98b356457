"""Scans: recorded with their statistics and announced, whatever the campaign's state.

A member scanning a code in the mini-program (``POST /v1/scans``) and a customer adding a staff
member through a WeCom contact way whose ``state`` is a channel code (contacts'
``WeComCustomerIdentified``) are the same fact: ``record`` writes both, and ``QrCodeScanned``
leads to attribution, conversion and points alike. A WeCom add's scan id comes from the
friendship it stands for (corp, staff, external_userid, generation), and the scan is written only
if absent: the same add delivered again records no second scan, hence no second conversion.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from services.campaigns.dal import campaigns as dal
from services.campaigns.logic import referrals, shares
from services.campaigns.models import ScanRequest
from shared import ids
from shared.auth.principal import MemberPrincipal
from shared.clock import utc_now
from shared.errors import ConcurrentUpdate, NotFound
from shared.events.campaigns import QrCodeScanned
from shared.events.contacts import WeComCustomerIdentified
from shared.observability import logger
from shared.retry import retry_on_race

# The first write tells which scopes the scanner knew; a second learns of a scope only by racing.
SCAN_ATTEMPTS = 3


def scan(member: MemberPrincipal, request: ScanRequest) -> str:
    """A member's scan (409 for the invite link of a program closed now, and nothing recorded)."""
    invite = referrals.opened_invite(member.tenant_id, request.code)
    if invite is not None and request.device_id is not None:
        referrals.note_device(member, invite, request.device_id)
    scan_id = record(member.tenant_id, member.contact_id, request.code)
    if invite is not None and request.share_id is not None and request.opened_in is not None:
        shares.opened(member, invite, request.share_id, request.opened_in)
    return scan_id


def record(
    tenant_id: str,
    contact_id: str,
    code_value: str,
    *,
    scan_id: str | None = None,
    scanned_at: datetime | None = None,
    staff_id: str | None = None,
) -> str:
    """Record a scan of the tenant's code by the contact (``NotFound``: no such code), its
    statistics and ``QrCodeScanned``, in one transaction; answer its id. ``scan_id``: an id that
    stands for the scan's cause, so a repeat raises ``dal.ScanRecorded`` (a fresh one otherwise).
    ``staff_id``: the staff member the scan is attributed to, when the code's own is not it."""
    code = dal.get_code(tenant_id, code_value)
    if code is None:  # also what a code of another tenant looks like
        raise NotFound("No such code.")
    if staff_id is not None:
        code = code.model_copy(update={"staff_id": staff_id})
    scan_id = scan_id or ids.new_id("sc_")
    event = QrCodeScanned(
        scan_id=scan_id,
        contact_id=contact_id,
        campaign_id=code.campaign_id,
        code=code.code,
        channel=code.channel,
        store=code.store,
        staff_id=code.staff_id,
        brand=code.brand,
        scanned_at=scanned_at or utc_now(),
    )
    known = dal.remembered_scanner_scopes(tenant_id, code.campaign_id, contact_id)

    def write(_: int) -> None:
        # A scanner this function has not seen here is assumed new; if it was not, the failed write
        # says in which scopes it had scanned, and the second one counts it as returning there.
        try:
            dal.record_scan(code, contact_id, scan_id, event.scanned_at.isoformat(), event, known)
        except dal.ScannersKnown as error:
            known.update(error.scopes)
            raise

    retry_on_race(
        write,
        races=dal.ScannersKnown,
        attempts=SCAN_ATTEMPTS,
        exhausted=lambda: ConcurrentUpdate("The scan raced with another; try again."),
        backoff=False,  # a returning scanner is the common case, not a collision: no reason to wait
    )
    return scan_id


def wecom_scan_id(identified: WeComCustomerIdentified) -> str:
    """The scan a WeCom add stands for: one per friendship generation."""
    added = identified.added
    text = "\n".join((added.corp_id, added.staff_id, added.external_userid, str(added.generation)))
    return f"sc_wc_{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def on_wecom_add(tenant_id: str, identified: WeComCustomerIdentified) -> str | None:
    """A WeCom add through a contact way whose state is one of the tenant's channel codes is a
    scan of that code by the contact, once per add (``dal.ScanRecorded`` on a repeat). A half add
    (not yet accepted), an add without a state and a state that is no code of the tenant record
    nothing."""
    added = identified.added
    if added.state is None or added.half:
        return None
    try:
        return record(
            tenant_id,
            identified.contact_id,
            added.state,
            scan_id=wecom_scan_id(identified),
            scanned_at=added.added_at,
            staff_id=added.staff_id,  # the member the customer added caused it
        )
    except NotFound:
        logger.info("WeCom add with a state that is no channel code: not a scan", extra={"state": added.state})
        return None
