"""Conversions: contacts' answer to a scan decides whether, and how, the campaign converts."""

from __future__ import annotations

from services.campaigns.dal import campaigns as dal
from services.campaigns.dal import referrals as referral_dal
from services.campaigns.logic import merges, qualification, referrals, shares
from services.campaigns.logic.campaigns import converts_at
from services.campaigns.models import INVITE_CHANNEL, Campaign
from shared.clock import utc_now
from shared.events.campaigns import CampaignConversionRecorded, UnrewardedReason
from shared.events.contacts import ScanAttributed
from shared.observability import logger
from shared.retry import retry_on_race


def conversion_id(campaign_id: str, contact_id: str) -> str:
    return f"{campaign_id}:{contact_id}"


def on_scan_attributed(tenant_id: str, scan: ScanAttributed) -> None:
    """Convert once per (campaign, contact): acquisition if this scan acquired the contact, else
    engagement; rewarded while the budget lasts, recorded unrewarded after.

    The campaign this function last saw is tried first, without reading it: the conversion is
    written only if the campaign is still at that version, so a stale one is read again. Only a
    converting campaign is trusted so; "does not convert" is always decided on a fresh read."""
    remembered = dal.remembered_campaign(tenant_id, scan.campaign_id)
    if remembered is not None and converts_at(remembered, scan.scanned_at):
        try:
            _convert(remembered, scan)
            return
        except dal.CampaignMoved:
            pass

    def convert_as_it_is_now(_: int) -> None:
        campaign = dal.get_campaign(tenant_id, scan.campaign_id)
        if campaign is None or not converts_at(campaign, scan.scanned_at):
            logger.info("scan does not convert", extra={"scan_id": scan.scan_id, "campaign_id": scan.campaign_id})
            return
        _convert(campaign, scan)

    retry_on_race(convert_as_it_is_now, races=dal.CampaignMoved)


def _convert(campaign: Campaign, scan: ScanAttributed) -> None:
    """Record the conversion over the campaign as given; a second one for the person is a no-op.

    A scan by a contact since merged into another (an alias) converts the contact holding its
    conversions now: the survivor, which inherited every campaign the alias converted in, so the
    merged person is never converted twice by one campaign."""
    contact_id = scan.contact_id
    for _ in range(merges.HOPS):
        try:
            _convert_contact(campaign, scan, contact_id)
            return
        except dal.ContactMerged:
            contact_id = merges.holder_id(campaign.tenant_id, contact_id)
    raise ValueError(f"{scan.contact_id} is merged further than {merges.HOPS} times")


def _convert_contact(campaign: Campaign, scan: ScanAttributed, contact_id: str) -> None:
    kind = "acquisition" if scan.acquired else "engagement"
    reward = campaign.acquisition_points if scan.acquired else campaign.engagement_points
    invited = referrals.invitation_of(campaign, scan, contact_id) if scan.channel == INVITE_CHANNEL else None
    unrewarded_reason: UnrewardedReason | None = None
    if reward == 0:
        unrewarded_reason = "no_reward"
    elif invited is not None and invited.status == "rejected":  # a self-invite, a reused identity: no reward
        reward, unrewarded_reason = 0, "invitation_rejected"
    elif campaign.points_awarded + reward > campaign.points_budget:
        reward, unrewarded_reason = 0, "budget_exhausted"
    event = CampaignConversionRecorded(
        **(scan.ref() | {"contact_id": contact_id}),
        conversion_id=conversion_id(campaign.campaign_id, contact_id),
        kind=kind,
        points=reward,
        rewarded=reward > 0,
        unrewarded_reason=unrewarded_reason,
    )
    scopes = dal.stats_scopes(scan.code, scan.channel, scan.staff_id)
    try:
        dal.record_conversion(
            campaign,
            contact_id,
            scopes,
            kind,
            reward,
            event,
            scan.scanned_at,
            referral_dal.invitation(invited) if invited else None,
        )
    except dal.AlreadyConverted:
        # A duplicate, or a later scan by a contact the campaign already converted. A redelivery
        # after a failed qualification check does that check again (the invitation is stored).
        if invited is None:
            return
        invited = referral_dal.get_invitation(campaign.tenant_id, campaign.campaign_id, contact_id)
    if invited is not None:
        shares.after_visit(campaign, invited, scan.scanned_at)
        qualification.after_invited(campaign, invited, utc_now())
