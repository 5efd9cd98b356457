"""Campaign rules: lifecycle, schedule, who may see what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.campaigns.dal import campaigns as dal
from services.campaigns.models import Campaign, CampaignCreate, CampaignPatch, CampaignView
from shared import idempotency, ids
from shared.clock import now_rfc3339
from shared.dynamo import Prepare
from shared.errors import Conflict, NotFound, Unprocessable

# status → the statuses it may be reached from
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "active": ("draft", "paused"),
    "paused": ("active",),
    "ended": ("draft", "active", "paused"),
}
EDITABLE = ("draft", "active", "paused")


def create(tenant_id: str, request: CampaignCreate, idempotency_key: str | None) -> CampaignView:
    """Create a draft campaign; answer its view (the first answer again for a replayed key)."""
    now = now_rfc3339()
    data = request.model_dump(mode="json")
    campaign = Campaign.model_validate(
        {**data, "tenant_id": tenant_id, "campaign_id": ids.new_id("cp_"), "created_at": now, "updated_at": now}
    )

    def write(claim: Callable[[CampaignView], Prepare]) -> CampaignView:
        view = CampaignView.of(campaign)
        dal.create_campaign(campaign, claim(view))
        return view

    return idempotency.once_per_key(
        table=dal.table(),
        tenant_id=tenant_id,
        scope="campaigns.create",
        key=idempotency_key,
        request=request,
        answer_type=CampaignView,
        write=write,
    )


def get(tenant_id: str, campaign_id: str) -> Campaign:
    campaign = dal.get_campaign(tenant_id, campaign_id)
    if campaign is None:
        raise NotFound("No such campaign.")
    return campaign


def list_all(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Campaign], str | None]:
    return dal.list_campaigns(tenant_id, limit, cursor)


def update(tenant_id: str, campaign_id: str, patch: CampaignPatch) -> Campaign:
    campaign = get(tenant_id, campaign_id)
    if campaign.status not in EDITABLE:
        raise Conflict("An ended campaign cannot change.")
    changes: dict[str, Any] = {
        k: v
        for k, v in patch.model_dump(mode="json", exclude_unset=True).items()
        if v is not None or k in ("brand", "entry_url")
    }
    merged = Campaign.model_validate({**campaign.model_dump(), **patch.model_dump(exclude_unset=True)})
    if merged.ends_at <= merged.starts_at:
        raise Unprocessable("ends_at must be after starts_at.", [{"loc": ["body", "ends_at"], "msg": "before start"}])
    if "referral" in changes and campaign.kind != "referral":
        raise Unprocessable(
            "Only a referral campaign has referral rules.", [{"loc": ["body", "referral"], "msg": "not a referral"}]
        )
    try:
        merged.rewards_within_budget()
    except ValueError as error:
        raise Unprocessable(f"{error}.", [{"loc": ["body", "points_budget"], "msg": str(error)}]) from None
    if "points_budget" in changes and changes["points_budget"] < campaign.points_awarded:
        raise Conflict(f"The budget cannot go below the {campaign.points_awarded} points already awarded.")
    if not changes:
        return campaign
    dal.update_campaign(campaign, changes | {"updated_at": now_rfc3339()}, allowed_statuses=EDITABLE)
    return get(tenant_id, campaign_id)


def transition(tenant_id: str, campaign_id: str, target: str) -> Campaign:
    campaign = get(tenant_id, campaign_id)
    if campaign.status == target:
        return campaign  # already so: repeating the request is harmless
    allowed = TRANSITIONS[target]
    if campaign.status not in allowed:
        raise Conflict(f"A {campaign.status} campaign cannot become {target}.")
    dal.update_campaign(campaign, {"status": target, "updated_at": now_rfc3339()}, allowed_statuses=allowed)
    return get(tenant_id, campaign_id)


def converts_at(campaign: Campaign, moment: datetime) -> bool:
    """Whether a scan at this moment may convert: the campaign is active and within its schedule."""
    return campaign.status == "active" and campaign.starts_at <= moment < campaign.ends_at
