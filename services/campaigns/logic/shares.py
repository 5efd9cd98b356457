"""Share rewards (微积分): a member is paid for the new contacts their shared invite link brings,
not for sharing it.

- ``POST /v1/me/shares`` records a share (where it went) for the program's statistics and answers
  the link to share, which names the share; it pays nothing, so tapping "share" a hundred times
  earns nothing.
- A share to a group counts for a KOC's task to share to N groups only once someone else opens its
  link in a WeChat group (the scan says so: the H5 reads WeChat's ``from=groupmessage``, the
  mini-program its group-chat scene), once per share: a tap alone proves nothing.
- A visitor is paid for when their arrival through the member's invite code makes a pending
  invitation: a new contact of the brand, not the member themself, not a second contact on a device
  that brought one already (the invitation's own rules). Each visitor is paid for once per program
  (the reward id names the visitor), whoever shares the link with them again.
- At most ``share_visitors_per_day`` visitors are paid per member and day (the business day), and
  never above the program's budget: the reward, the day's count and the budget are one transaction.
- Points credits ``ReferralRewardEarned`` (kind ``share``) once, as for stage rewards.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from services.campaigns.dal import campaigns as dal
from services.campaigns.dal import referrals as referral_dal
from services.campaigns.logic import campaigns, koc_tasks, qualification, referrals
from services.campaigns.models import (
    BUSINESS_ZONE,
    SHARE_PARAM,
    Campaign,
    ChannelCode,
    Invitation,
    OpenedIn,
    ReferralReward,
    ShareRecorded,
    ShareRequest,
)
from shared import daily, ids
from shared.auth.principal import MemberPrincipal
from shared.clock import rfc3339, utc_now
from shared.consumer import AlreadyProcessed
from shared.errors import NotFound
from shared.observability import logger
from shared.retry import retry_on_race


def share(member: MemberPrincipal, request: ShareRequest) -> ShareRecorded:
    campaign = next(
        (c for c in referrals.open_programs(member.tenant_id) if c.campaign_id == request.campaign_id), None
    )
    if campaign is None:  # another tenant's, ended, paused, or no referral program
        raise NotFound("No referral program open now has this id.")
    code = referrals.invite_code(member, campaign)
    share_id, at = ids.new_id("sh_"), rfc3339(utc_now())
    referral_dal.record_share(member.tenant_id, campaign.campaign_id, member.contact_id, share_id, request.channel, at)
    url = f"{code.url}&{urlencode({SHARE_PARAM: share_id})}"
    return ShareRecorded(
        share_id=share_id, campaign_id=campaign.campaign_id, channel=request.channel, shared_at=at, url=url
    )


def opened(member: MemberPrincipal, invite: ChannelCode, share_id: str, opened_in: OpenedIn) -> None:
    """Someone opened a member's shared invite link: a share to a group, opened in a group by another
    contact than its sharer, counts for the sharer's share-to-groups tasks, once per share."""
    sharer = invite.inviter_id
    if opened_in != "group" or sharer is None or sharer == member.contact_id:
        return
    now = utc_now()
    try:
        referral_dal.mark_share_opened_in_group(member.tenant_id, invite.campaign_id, sharer, share_id, rfc3339(now))
    except AlreadyProcessed:
        return  # seen already, another member's share, or not one to a group
    koc_tasks.on_unit(member.tenant_id, invite.campaign_id, sharer, "share_groups", share_id, now)


def share_reward_id(campaign_id: str, visitor_id: str) -> str:
    return f"{campaign_id}:share:{visitor_id}"


def after_visit(campaign: Campaign, invitation: Invitation, at: datetime) -> None:
    """Pay the invitation's inviter for bringing a new visitor, if the program has share rewards,
    and count the visitor for the inviter's KOC tasks."""
    if invitation.status != "pending" or campaign.referral is None:
        return
    koc_tasks.on_unit(
        campaign.tenant_id, campaign.campaign_id, invitation.inviter_id, "bring_visitors", invitation.invitee_id, at
    )
    if not campaign.referral.share_visitor_points:
        return
    day = daily.business_day(at, BUSINESS_ZONE).isoformat()

    def attempt(number: int) -> None:
        current = campaign if number == 0 else campaigns.get(campaign.tenant_id, campaign.campaign_id)
        assert current.referral is not None
        points = current.referral.share_visitor_points
        if current.points_awarded + points > current.points_budget:
            logger.info("share reward over the budget: not paid", extra={"invitee_id": invitation.invitee_id})
            return
        reward = ReferralReward(
            reward_id=share_reward_id(current.campaign_id, invitation.invitee_id),
            campaign_id=current.campaign_id,
            contact_id=invitation.inviter_id,
            kind="share",
            invitee_id=invitation.invitee_id,
            points=points,
            rewarded=True,
            earned_at=rfc3339(at),
        )
        per_day = current.referral.share_visitors_per_day
        referral_dal.record_share_reward(current, reward, day, per_day, [qualification.earned(reward)])

    try:
        retry_on_race(attempt, races=dal.CampaignMoved, attempts=qualification.ATTEMPTS)
    except (referral_dal.NotPending, referral_dal.DayCapReached) as done:
        logger.info("share reward not paid", extra={"invitee_id": invitation.invitee_id, "why": str(done)})
