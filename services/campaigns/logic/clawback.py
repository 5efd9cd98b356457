"""Claw-backs: a qualified invitee who deletes the staff member, or has an order refunded, within
the program's ``clawback_days`` of qualifying was not a real customer. The invitation is taken
back with the reason, and what it earned is reversed once.

- The invitation: qualified → clawed_back, reason ``deleted_staff`` or ``refunded`` (visible to
  the manager). A refund counts when the network counts the order (an invitee's order, from its
  invitation on). The network's consumer may count the order after the refund is met (it lags, or
  the refund overtook its order on the bus): the refund is then kept by the order, and the network
  claws back when it counts the order. Each side writes before it reads the other's item, so at
  least one of them sees both; the claw-back itself happens once.
- When it counted for the inviter: the count goes down by one. A stage the count falls below
  (the stage whose invitees equal the count before) has its reward reversed if it was paid, and
  moves to its next round: reached again by another invitee, it is a new reward.
- The invitee's welcome, if paid, is reversed.
- Each reversal is ``ReferralRewardReversed``; points takes the points back once, never below a
  zero balance. The budget is not given back (the points may have been spent).
- A removal by the staff member (not the customer), a transfer, or one after the window changes
  nothing; a window of 0 days turns claw-backs off.

Identity reuse: contacts merges two contacts that hold the same phone or unionid (or that staff
merge by hand): they are one person. An invitation of the absorbed contact is taken back with
reason ``identity_reused`` when the person was invited to that program already (the survivor's
own invitation is kept) or when the person invited themself under the other identity (either
side). Any other invitation of the absorbed contact is taken back as ``not_new_contact``: contacts
keeps the older contact, so the person was a customer before the absorbed contact was invited (an
existing customer who opened the link under a new WeChat account, then bound their phone).
Pending, it is rejected; qualified, it is clawed back whatever the window (the window is for
customers who walk away, not for one person counted twice or as new).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from services.campaigns.dal import campaigns as dal
from services.campaigns.dal import influence as influence_dal
from services.campaigns.dal import referrals as referral_dal
from services.campaigns.logic import qualification
from services.campaigns.models import Campaign, Invitation, ReferralReward
from shared.clock import parse_rfc3339, rfc3339
from shared.events.campaigns import ClawbackReason, ReferralRewardReversed
from shared.events.contacts import WeComCustomerRemoved
from shared.observability import logger
from shared.retry import retry_on_race


def on_wecom_removed(tenant_id: str, removed: WeComCustomerRemoved) -> None:
    if removed.removed.removed_by != "customer" or removed.removed.reason is not None:
        return  # the staff member's own deletion, or a hand-over: not the invitee walking away
    _within_windows(tenant_id, removed.contact_id, "deleted_staff", removed.removed.removed_at)


def on_refunded(tenant_id: str, partner: str, order_id: str, at: datetime) -> None:
    """A refund of an invitee's order (one the network counted: its buyer is known by the order)."""
    buyer = influence_dal.buyer_of(tenant_id, partner, order_id)
    if buyer is None:
        influence_dal.remember_refund(tenant_id, partner, order_id, rfc3339(at))
        buyer = influence_dal.buyer_of(tenant_id, partner, order_id)  # counted meanwhile?
    if buyer is not None:
        _within_windows(tenant_id, buyer, "refunded", at)


def on_order_counted(tenant_id: str, contact_id: str, partner: str, order_id: str) -> None:
    """The network counted an invitee's order: a refund of it met before is followed now."""
    refunded_at = influence_dal.refund_of(tenant_id, partner, order_id)
    if refunded_at is not None:
        _within_windows(tenant_id, contact_id, "refunded", parse_rfc3339(refunded_at))


def _within_windows(tenant_id: str, contact_id: str, reason: ClawbackReason, at: datetime) -> None:
    """Claw back each qualified invitation of the contact whose program's window still covers ``at``."""
    for invitation in referral_dal.invitations_of(tenant_id, contact_id):
        if invitation.status != "qualified" or invitation.qualified_at is None:
            continue
        campaign = dal.get_campaign(tenant_id, invitation.campaign_id)
        if campaign is None or campaign.referral is None:
            continue
        window = timedelta(days=campaign.referral.clawback_days)
        if at - parse_rfc3339(invitation.qualified_at) <= window:
            claw_back(campaign, invitation, reason, at)


LIVE = ("pending", "qualified")


def on_merged(tenant_id: str, survivor_id: str, alias_id: str, at: datetime) -> None:
    """Two contacts turned out to be one person: take back what counted that person twice, or as
    new when they were not. Contacts keeps the older contact, so the absorbed one's invitations
    were of someone who was a contact already: each is taken back, as ``identity_reused`` when the
    person was invited by themself or counted in the program through the survivor too, else as
    ``not_new_contact``. The survivor's own invitations stand, unless it invited itself."""
    person = {survivor_id, alias_id}
    survivor_invited = [i for i in referral_dal.invitations_of(tenant_id, survivor_id) if i.status in LIVE]
    survivor_programs = {i.campaign_id for i in survivor_invited}
    for invitation in referral_dal.invitations_of(tenant_id, alias_id):
        if invitation.status in LIVE:
            reused = invitation.inviter_id in person or invitation.campaign_id in survivor_programs
            take_back(invitation, "identity_reused" if reused else "not_new_contact", at)
    for invitation in survivor_invited:
        if invitation.inviter_id in person:
            take_back(invitation, "identity_reused", at)


def take_back(invitation: Invitation, reason: ClawbackReason, at: datetime) -> None:
    """Reject the invitation if still pending, else claw it back if qualified, with the reason."""
    campaign = dal.get_campaign(invitation.tenant_id, invitation.campaign_id)
    if campaign is None or campaign.referral is None:
        return
    if invitation.status == "pending":
        try:
            referral_dal.reject(invitation, reason)
            return
        except referral_dal.NotPending:  # it qualified meanwhile (or was decided): read it again
            current = referral_dal.get_invitation(invitation.tenant_id, invitation.campaign_id, invitation.invitee_id)
            if current is None or current.status != "qualified":
                return
            invitation = current
    claw_back(campaign, invitation, reason, at)


def claw_back(campaign: Campaign, invitation: Invitation, reason: ClawbackReason, at: datetime) -> None:
    """Take the invitation back and reverse what it earned, once."""
    assert campaign.referral is not None
    stages = campaign.referral.stages

    def attempt(_: int) -> None:
        reversed_rewards: list[ReferralReward] = []
        counted_before, fallen = None, None
        if invitation.counted:
            progress = referral_dal.progress(campaign.tenant_id, campaign.campaign_id, invitation.inviter_id)
            counted_before = progress.qualified
            fallen = next((n for n, s in enumerate(stages, start=1) if s.invitees == counted_before), None)
            if fallen is not None:
                reward_id = qualification.stage_reward_id(
                    campaign.campaign_id, fallen, invitation.inviter_id, progress.round_of(fallen)
                )
                reversed_rewards += _paid(campaign.tenant_id, invitation.inviter_id, reward_id)
        welcome = qualification.welcome_id(campaign.campaign_id, invitation.invitee_id)
        reversed_rewards += _paid(campaign.tenant_id, invitation.invitee_id, welcome)
        events: list[BaseModel] = [
            ReferralRewardReversed(
                reward_id=r.reward_id,
                campaign_id=r.campaign_id,
                contact_id=r.contact_id,
                invitee_id=invitation.invitee_id,
                points=r.points,
                reason=reason,
            )
            for r in reversed_rewards
        ]
        referral_dal.record_clawback(
            campaign, invitation, reason, rfc3339(at), counted_before, fallen, reversed_rewards, events
        )

    try:
        retry_on_race(attempt, races=referral_dal.ProgressMoved, attempts=qualification.ATTEMPTS)
    except referral_dal.NotPending:
        logger.info("invitation taken back already", extra={"invitee_id": invitation.invitee_id})


def _paid(tenant_id: str, contact_id: str, reward_id: str) -> list[ReferralReward]:
    reward = referral_dal.get_reward(tenant_id, contact_id, reward_id)
    return [reward] if reward is not None and reward.rewarded and reward.reversed_at is None else []
