"""Conversions: contacts' answer to a scan decides whether, and how, the campaign converts."""

from __future__ import annotations

from services.campaigns.dal import campaigns as dal
from services.campaigns.logic.campaigns import converts_at
from services.campaigns.models import Campaign
from shared.events.campaigns import CampaignConversionRecorded
from shared.events.contacts import ScanAttributed
from shared.observability import logger


def conversion_id(campaign_id: str, contact_id: str) -> str:
    return f"{campaign_id}:{contact_id}"


def on_scan_attributed(tenant_id: str, scan: ScanAttributed) -> None:
    """Convert once per (campaign, contact): acquisition if this scan acquired the contact, else
    engagement; rewarded while the budget lasts, recorded unrewarded after."""
    campaign = dal.get_campaign(tenant_id, scan.campaign_id)
    if campaign is None or not converts_at(campaign, scan.scanned_at):
        logger.info("scan does not convert", extra={"scan_id": scan.scan_id, "campaign_id": scan.campaign_id})
        return
    kind = "acquisition" if scan.acquired else "engagement"
    reward = campaign.acquisition_points if scan.acquired else campaign.engagement_points
    scopes = dal.scopes(scan.code, scan.channel, scan.staff_id)
    try:
        _record(campaign, scan, kind, reward, scopes, "no_reward" if reward == 0 else None)
    except dal.AlreadyConverted:
        return  # a duplicate, or a later scan by a contact the campaign already converted
    except dal.BudgetExhausted:
        try:
            _record(campaign, scan, kind, 0, scopes, "budget_exhausted")
        except dal.AlreadyConverted:
            return


def _record(
    campaign: Campaign, scan: ScanAttributed, kind: str, points: int, scopes: list[str], unrewarded_reason: str | None
) -> None:
    event = CampaignConversionRecorded(
        **scan.ref(),
        conversion_id=conversion_id(campaign.campaign_id, scan.contact_id),
        kind=kind,
        points=points,
        rewarded=points > 0,
        unrewarded_reason=unrewarded_reason,
    )
    dal.record_conversion(campaign, scan.contact_id, scopes, kind, points, event)
