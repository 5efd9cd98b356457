"""Referral programs as a member sees them: the programs open now, each with the member's own
invite link (a channel code of channel ``referral`` naming the member), made on first sight.

One invite code per member and program: its item and the member's pointer to it are created in one
transaction on the condition that the pointer does not exist, so two first looks at once make one
code (the loser reads the winner's).
"""

from __future__ import annotations

import hashlib

from services.campaigns.dal import campaigns as dal
from services.campaigns.dal import referrals as referral_dal
from services.campaigns.logic import campaigns, codes
from services.campaigns.models import (
    INVITE_CHANNEL,
    Campaign,
    ChannelCode,
    Invitation,
    InvitationList,
    InvitationReason,
    InvitationView,
    Leaderboard,
    LeaderboardRow,
    MyInvitee,
    MyReferral,
    MyReferralList,
)
from shared.auth.principal import MemberPrincipal
from shared.clock import now_rfc3339, rfc3339, utc_now
from shared.errors import Conflict
from shared.events.contacts import ScanAttributed

PROGRAMS_READ = 500  # campaigns looked through for open programs (a tenant runs a handful at a time)
PAGE = 100
MY_INVITEES = 20  # the latest a member sees on the program's page


def open_programs(tenant_id: str) -> list[Campaign]:
    """The tenant's referral programs open now (active and within their schedule)."""
    now = utc_now()
    found: list[Campaign] = []
    cursor: str | None = None
    for _ in range(PROGRAMS_READ // PAGE):
        page, cursor = dal.list_campaigns(tenant_id, PAGE, cursor)
        found += [c for c in page if c.kind == "referral" and c.referral and campaigns.converts_at(c, now)]
        if cursor is None:
            break
    return found


def invite_code(member: MemberPrincipal, campaign: Campaign) -> ChannelCode:
    """The member's invite code for the program, made the first time it is asked for."""
    existing = referral_dal.invite_of(member.tenant_id, campaign.campaign_id, member.contact_id)
    if existing is not None:
        return existing
    value = codes.new_code()
    code = ChannelCode(
        tenant_id=member.tenant_id,
        code=value,
        campaign_id=campaign.campaign_id,
        brand=campaign.brand,
        channel=INVITE_CHANNEL,
        inviter_id=member.contact_id,
        url=codes.entry_url(member.tenant_id, campaign.entry_url, value),
        created_at=now_rfc3339(),
    )
    try:
        referral_dal.create_invite(code)
    except referral_dal.InviteExists:  # a concurrent first look made it: that one is the member's
        made = referral_dal.invite_of(member.tenant_id, campaign.campaign_id, member.contact_id)
        assert made is not None
        return made
    return code


def mine(member: MemberPrincipal) -> MyReferralList:
    items = []
    rewards = referral_dal.rewards_of(member.tenant_id, member.contact_id)
    for campaign in open_programs(member.tenant_id):
        assert campaign.referral is not None
        code = invite_code(member, campaign)
        invited, _ = referral_dal.invitees_page(
            member.tenant_id, campaign.campaign_id, member.contact_id, MY_INVITEES, None
        )
        items.append(
            MyReferral(
                campaign_id=campaign.campaign_id,
                name=campaign.name,
                code=code.code,
                url=code.url,
                stages=campaign.referral.stages,
                welcome_points=campaign.referral.welcome_points,
                qualifying_action=campaign.referral.qualifying_action,
                ends_at=campaign.ends_at,
                qualified=referral_dal.qualified_count(member.tenant_id, campaign.campaign_id, member.contact_id),
                invitees=[MyInvitee.model_validate(i.model_dump(include=set(MyInvitee.model_fields))) for i in invited],
                rewards=[r for r in rewards if r.campaign_id == campaign.campaign_id],
                poster_url=f"/v1/me/referrals/poster.png?campaign_id={campaign.campaign_id}",
            )
        )
    return MyReferralList(items=items)


def invitation_of(campaign: Campaign, scan: ScanAttributed, contact_id: str) -> Invitation | None:
    """What a conversion through an invite code makes of the invitee: pending when the code's
    member brought a new contact of the brand; rejected, with the reason, when the member invited
    themself, the contact was one already, or the device it opened the invite on brought another
    contact to the program before (no edge in any case)."""
    code = dal.get_code(campaign.tenant_id, scan.code)
    if code is None or code.inviter_id is None or campaign.kind != "referral":
        return None
    reason: InvitationReason | None = None
    if code.inviter_id == contact_id:
        reason = "self_invite"
    elif not scan.acquired:
        reason = "not_new_contact"
    elif referral_dal.reused_device(campaign.tenant_id, campaign.campaign_id, contact_id) is not None:
        reason = "identity_reused"
    return Invitation(
        tenant_id=campaign.tenant_id,
        campaign_id=campaign.campaign_id,
        invitee_id=contact_id,
        inviter_id=code.inviter_id,
        code=code.code,
        status="rejected" if reason else "pending",
        reason=reason,
        invited_at=rfc3339(scan.scanned_at),
    )


class ProgramClosed(Conflict):
    """An invite link of a referral program that does not take invitees now (ended, paused, not begun)."""


def opened_invite(tenant_id: str, code_value: str) -> ChannelCode | None:
    """The invite code a member opens, if it is one (None for any other code, or none); an invite
    of a program closed now is refused with a message that says so, and no scan is recorded."""
    code = dal.get_code(tenant_id, code_value)
    if code is None or code.inviter_id is None:
        return None
    campaign = dal.get_campaign(tenant_id, code.campaign_id)
    if campaign is None or not campaigns.converts_at(campaign, utc_now()):
        raise ProgramClosed("This invitation's program is not running now: the link no longer invites.")
    return code


def note_device(member: MemberPrincipal, code: ChannelCode, device_id: str) -> None:
    """A member opens an invite on a device: the first contact to open the program's invites there
    is remembered; any other is marked, and its invitation is rejected (``identity_reused``). The
    device id is kept hashed. Written before the scan, so the conversion finds it."""
    device_hash = hashlib.sha256(f"{member.tenant_id}\n{device_id}".encode()).hexdigest()
    first = referral_dal.claim_device(member.tenant_id, code.campaign_id, device_hash, member.contact_id)
    if first != member.contact_id:
        referral_dal.note_reused_device(member.tenant_id, code.campaign_id, member.contact_id, first)


def invitations(tenant_id: str, campaign_id: str, status: str | None, limit: int, cursor: str | None) -> InvitationList:
    campaigns.get(tenant_id, campaign_id)  # 404 for another tenant's or an unknown program
    found, next_cursor = referral_dal.invitations_page(tenant_id, campaign_id, status, limit, cursor)
    return InvitationList(items=[InvitationView.of(item) for item in found], next_cursor=next_cursor)


def leaderboard(tenant_id: str, campaign_id: str, limit: int, cursor: str | None) -> Leaderboard:
    """The program's inviters by counted qualified invitees, most first (one query)."""
    campaigns.get(tenant_id, campaign_id)
    rows, next_cursor = referral_dal.leaderboard(tenant_id, campaign_id, limit, cursor)
    return Leaderboard(items=[LeaderboardRow.model_validate(row) for row in rows], next_cursor=next_cursor)
