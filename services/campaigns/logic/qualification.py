"""Referral qualification: a pending invitee who does the program's qualifying action qualifies,
which counts for the inviter's stages and pays the rewards it earns, once, within the budget.

Qualifying actions, from other services' events: ``phone_bound`` (contacts' ContactUpdated naming
the phone), ``first_order`` (a partner's OrderPaid naming the contact, or contacts'
OrderBuyerIdentified), ``wecom_added`` (contacts' WeComCustomerIdentified for a new friendship).

Rules:
- The invitee counts for the inviter up to the program's per-inviter cap (the last stage's
  invitees when unset); past it, the invitation is qualified but counts nowhere.
- The count reaching a stage's invitees earns that stage's reward; an invitee's qualification
  earns its welcome. Each reward is paid once (its id is created once).
- The budget pays the stage first, then the welcome; a reward it cannot cover is recorded
  unrewarded (``budget_exhausted``) and never paid later.
- An invitee who brought its inviter (directly or down a chain) would close a cycle: rejected
  with reason ``cycle``, nothing paid.
- An invitation made while the program was open qualifies after its end too: the invitee was
  promised the program when it came.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.campaigns.dal import campaigns as dal
from services.campaigns.dal import influence as influence_dal
from services.campaigns.dal import referrals as referral_dal
from services.campaigns.models import MAX_DEPTH, Campaign, Invitation, QualifyingAction, ReferralReward
from shared.clock import rfc3339
from shared.events.campaigns import InviteeQualified, ReferralRewardEarned
from shared.observability import logger
from shared.retry import retry_on_race

CYCLE_WALK = 10  # reads of ancestors when looking for a cycle: chains of 30
ATTEMPTS = 10  # an inviter's busy moment (many invitees at once) retries on the count it lost to


def on_action(tenant_id: str, contact_id: str, action: QualifyingAction, at: datetime) -> None:
    """The contact did ``action``: remembered (an invitation recorded later still sees it), and
    every pending invitation of the contact whose program asks for it qualifies."""
    referral_dal.record_action(tenant_id, contact_id, action, at)
    for invitation in referral_dal.invitations_of(tenant_id, contact_id):
        if invitation.status == "pending":
            qualify(tenant_id, invitation, action, at)


def after_invited(campaign: Campaign, invitation: Invitation, at: datetime) -> None:
    """A pending invitation was just recorded: the invitee may have done the action already (its
    event came first)."""
    assert campaign.referral is not None
    action = campaign.referral.qualifying_action
    if invitation.status == "pending" and referral_dal.did(campaign.tenant_id, invitation.invitee_id, action):
        qualify(campaign.tenant_id, invitation, action, at)


def qualify(tenant_id: str, invitation: Invitation, action: QualifyingAction, at: datetime) -> None:
    """Qualify the invitation if its program asks for ``action``; a second time does nothing."""

    def attempt(_: int) -> None:
        campaign = dal.get_campaign(tenant_id, invitation.campaign_id)
        if campaign is None or campaign.referral is None or campaign.referral.qualifying_action != action:
            return
        if closes_a_cycle(tenant_id, invitation):
            referral_dal.reject(invitation, "cycle")
            logger.info("invitation rejected: a cycle", extra={"invitee_id": invitation.invitee_id})
            return
        progress = referral_dal.progress(tenant_id, campaign.campaign_id, invitation.inviter_id)
        before = progress.qualified
        counted_before = before if before < cap_of(campaign) else None
        rewards = rewards_for(campaign, invitation, progress if counted_before is not None else None, at)
        events: list[BaseModel] = [
            InviteeQualified(
                campaign_id=campaign.campaign_id,
                inviter_id=invitation.inviter_id,
                invitee_id=invitation.invitee_id,
                action=action,
                counted=counted_before is not None,
                qualified=before + (counted_before is not None),
                qualified_at=at,
            ),
            *(earned(reward) for reward in rewards if reward.rewarded),
        ]
        referral_dal.record_qualification(campaign, invitation, rfc3339(at), counted_before, rewards, events)

    try:
        retry_on_race(attempt, races=(dal.CampaignMoved, referral_dal.ProgressMoved), attempts=ATTEMPTS)
    except referral_dal.NotPending:
        logger.info("invitation qualified already", extra={"invitee_id": invitation.invitee_id})


def closes_a_cycle(tenant_id: str, invitation: Invitation) -> bool:
    """Whether the invitee brought the inviter, directly or down a chain: then the edge would close
    a loop (two accounts inviting each other to farm rewards). Walks up the inviter's ancestors,
    three per read, at most ``CYCLE_WALK`` reads."""
    contact_id = invitation.inviter_id
    for _ in range(CYCLE_WALK):
        ancestors = influence_dal.ancestors_of(tenant_id, contact_id)
        if not ancestors:
            return False
        if invitation.invitee_id in ancestors:
            return True
        if len(ancestors) < MAX_DEPTH:
            return False  # the chain's top is among them
        contact_id = ancestors[-1]
    return False


def cap_of(campaign: Campaign) -> int:
    assert campaign.referral is not None
    return campaign.referral.per_inviter_cap or campaign.referral.stages[-1].invitees


def stage_reward_id(campaign_id: str, stage: int, inviter_id: str, round_: int) -> str:
    """A stage reward's id: the stage reached again after a claw-back is a new reward (its round)."""
    return f"{campaign_id}:stage{stage}:{inviter_id}" + (f":{round_}" if round_ > 1 else "")


def welcome_id(campaign_id: str, invitee_id: str) -> str:
    return f"{campaign_id}:welcome:{invitee_id}"


def rewards_for(
    campaign: Campaign, invitation: Invitation, counted_on: referral_dal.Progress | None, at: datetime
) -> list[ReferralReward]:
    """The rewards this qualification earns (``counted_on``: the inviter's progress it counts on
    top of, None when over the cap), each paid if what is left of the budget covers it."""
    rules = campaign.referral
    assert rules is not None
    owed: list[ReferralReward] = []
    common = {"campaign_id": campaign.campaign_id, "invitee_id": invitation.invitee_id, "earned_at": rfc3339(at)}
    if counted_on is not None:
        for number, stage in enumerate(rules.stages, start=1):
            if stage.invitees == counted_on.qualified + 1:
                owed.append(
                    ReferralReward(
                        reward_id=stage_reward_id(
                            campaign.campaign_id, number, invitation.inviter_id, counted_on.round_of(number)
                        ),
                        contact_id=invitation.inviter_id,
                        kind="stage",
                        stage=number,
                        points=stage.points,
                        rewarded=False,
                        **common,
                    )
                )
    if rules.welcome_points:
        owed.append(
            ReferralReward(
                reward_id=welcome_id(campaign.campaign_id, invitation.invitee_id),
                contact_id=invitation.invitee_id,
                kind="welcome",
                points=rules.welcome_points,
                rewarded=False,
                **common,
            )
        )
    left = campaign.points_budget - campaign.points_awarded
    decided = []
    for reward in owed:
        if reward.points == 0:
            decided.append(reward.model_copy(update={"unrewarded_reason": "no_reward"}))
        elif reward.points <= left:
            left -= reward.points
            decided.append(reward.model_copy(update={"rewarded": True}))
        else:
            decided.append(reward.model_copy(update={"points": 0, "unrewarded_reason": "budget_exhausted"}))
    return decided


def earned(reward: ReferralReward) -> ReferralRewardEarned:
    return ReferralRewardEarned(
        reward_id=reward.reward_id,
        campaign_id=reward.campaign_id,
        contact_id=reward.contact_id,
        kind=reward.kind,
        stage=reward.stage,
        invitee_id=reward.invitee_id,
        points=reward.points,
    )
