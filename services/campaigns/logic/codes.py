"""Channel codes (渠道活码): unguessable, short enough for a mini-program ``scene``."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import urlencode

from services.campaigns.dal import campaigns as dal
from services.campaigns.logic import campaigns
from services.campaigns.models import ChannelCode, CodeCreate, CodeView
from shared import idempotency
from shared.auth.principal import StaffPrincipal
from shared.clock import now_rfc3339
from shared.dynamo import Prepare
from shared.errors import Conflict, NotFound, Unprocessable
from shared.events.campaigns import ChannelCodeCreated
from shared.settings import get_settings

CODE_BYTES = 16  # 128 random bits → 22 characters of [A-Za-z0-9_-], well within a 32-character scene


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def entry_url(tenant_id: str, campaign_entry: str | None, code: str) -> str:
    base = campaign_entry or get_settings().entry_url
    separator = "&" if "?" in base else "?"
    # The tenant is on every code's URL: the page it opens (the member H5, or a campaign's own
    # page) signs the member in to that tenant before it records the scan.
    return f"{base}{separator}{urlencode({'tenant': tenant_id, 'scene': code})}"


def create(staff: StaffPrincipal, campaign_id: str, request: CodeCreate, idempotency_key: str | None) -> CodeView:
    """Create a channel code; answer its view (the first answer again for a replayed key)."""
    campaign = campaigns.get(staff.tenant_id, campaign_id)
    if campaign.status == "ended":
        raise Conflict("An ended campaign takes no new codes.")
    if request.wecom is not None and request.staff_id is not None:
        # A WeCom add is attributed to the member the customer added, whoever it is.
        raise Unprocessable(
            "A WeCom code takes its staff from wecom.staff_ids, not staff_id.",
            [{"loc": ["body", "staff_id"], "msg": "leave it out of a WeCom code"}],
        )
    code_value = new_code()
    code = ChannelCode(
        tenant_id=staff.tenant_id,
        code=code_value,
        campaign_id=campaign_id,
        brand=campaign.brand,
        channel=request.channel,
        store=request.store,
        staff_id=request.staff_id,
        wecom=request.wecom,
        url=entry_url(staff.tenant_id, campaign.entry_url, code_value),
        created_at=now_rfc3339(),
    )

    def write(claim: Callable[[CodeView], Prepare]) -> CodeView:
        view = CodeView.of(code)
        event = ChannelCodeCreated(
            **code.model_dump(include={"code", "campaign_id", "channel", "store", "staff_id", "created_at"}),
            wecom=code.wecom.model_dump() if code.wecom else None,
        )
        dal.create_code(code, event, claim(view))
        return view

    return idempotency.once_per_key(
        table=dal.table(),
        tenant_id=staff.tenant_id,
        scope=f"codes.create:{campaign_id}",
        key=idempotency_key,
        request=request,
        answer_type=CodeView,
        write=write,
    )


def visible_code(staff: StaffPrincipal, code: str) -> ChannelCode:
    found = dal.get_code(staff.tenant_id, code)
    if found is None or (staff.sees_only_own_customers and found.staff_id != staff.staff_id):
        raise NotFound("No such code.")
    return found


def list_codes(
    staff: StaffPrincipal, campaign_id: str, limit: int, cursor: str | None
) -> tuple[list[ChannelCode], str | None]:
    campaigns.get(staff.tenant_id, campaign_id)
    found, next_cursor = dal.list_codes(staff.tenant_id, campaign_id, limit, cursor)
    if staff.sees_only_own_customers:
        found = [code for code in found if code.staff_id == staff.staff_id]
    return found, next_cursor


def qr_image(url: str, kind: str) -> bytes:
    import io

    import segno  # only the QR routes pay for importing the encoder

    qr = segno.make(url, error="m", micro=False)
    buffer = io.BytesIO()
    qr.save(buffer, kind=kind, scale=8, border=4)
    return buffer.getvalue()
