"""The campaigns table's referral program items (the rest of the table: ``campaigns``).

Item layout (pk / sk), every key prefixed by the tenant:
- invite      T#{t}#INVITER#{campaign}#{member} / INVITE      the member's invite code (``code``)
- progress    T#{t}#INVITER#{campaign}#{member} / PROGRESS    the member's counted qualified invitees
  and the points its stages paid; the program's leaderboard is gsi1
  T#{t}#LEADERBOARD#{campaign} / {qualified, 8 digits}#{member}, read highest first
- invitation  T#{t}#CONTACT#{invitee} / INVITATION#{campaign}  in the invitee's partition, so the
  contact's qualifying action finds its invitations with one Query; listed by the program via
  gsi1 T#{t}#INVITATIONS#{campaign} / {status}#{invited_at}#{invitee} and by the inviter via gsi2
  T#{t}#INVITEES#{campaign}#{inviter} / {invited_at}#{invitee}
- action      T#{t}#CONTACT#{contact} / DID#{action}          the contact did a qualifying action
- reward      T#{t}#CONTACT#{beneficiary} / REWARD#{reward_id} once per reward id
- share       T#{t}#INVITER#{campaign}#{member} / SHARE#{share_id}   a member's share (``channel``,
  ``shared_at``); ``opened_in_group`` once someone else opened it in a WeChat group
- share day   T#{t}#INVITER#{campaign}#{member} / SHARED#{day}   new visitors paid that day (``paid``)
- poster      T#{t}#CAMPAIGN#{campaign} / POSTER   the program's poster background (``image``, bytes)
- device      T#{t}#DEVICE#{campaign}#{sha256 of the device id} / DEVICE   the first contact that
  opened an invite of the program on the device; a later contact on it gets
  T#{t}#CONTACT#{contact} / DEVICE#{campaign} naming that first one

A qualification is one transaction: the invitation pending → qualified, the inviter's progress
c → c + 1 (written only over the count that was read), the rewards it earns (each created once),
their points added to the campaign's ``points_awarded`` within the budget, and the events.

The action and the invitation may arrive in either order: each side writes its own item, then
reads the other's strongly consistent, so at least one of them sees both and qualifies (the
pending → qualified condition makes it once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from services.campaigns.dal import campaigns
from services.campaigns.dal.campaigns import GSI, contact_pk, table
from services.campaigns.models import Campaign, ChannelCode, Invitation, ReferralReward
from shared import dynamo
from shared.consumer import AlreadyProcessed
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.outbox import publish_with

INVITER_GSI = "gsi2"
RANK_DIGITS = 8


class InviteExists(Conflict):
    """The member has an invite code for the program already."""


class NotPending(AlreadyProcessed):
    """The invitation was qualified (or rejected) already: a duplicate, or the other side of the race."""


class ProgressMoved(ConcurrentUpdate):
    """Another invitee of the same inviter qualified since the count was read."""


# Invites -------------------------------------------------------------------------------------------
def _inviter_pk(tenant_id: str, campaign_id: str, contact_id: str) -> str:
    return f"T#{tenant_id}#INVITER#{campaign_id}#{contact_id}"


def invite_of(tenant_id: str, campaign_id: str, contact_id: str) -> ChannelCode | None:
    """The member's invite code for the program, if it has one."""
    item = dynamo.get_item(table(), {"pk": _inviter_pk(tenant_id, campaign_id, contact_id), "sk": "INVITE"})
    return campaigns.get_code(tenant_id, str(item["code"])) if item else None


def create_invite(code: ChannelCode) -> None:
    """A member's invite code, once per member and program (``InviteExists`` for a second): no
    listing among the staff's codes, no statistics row of its own, and no ``ChannelCodeCreated``
    (what it announces, a staff code and its WeCom contact way, an invite is not)."""
    assert code.inviter_id is not None
    tx = Transaction(table())
    tx.create(
        {"pk": _inviter_pk(code.tenant_id, code.campaign_id, code.inviter_id), "sk": "INVITE", "code": code.code},
        on_fail=InviteExists("an invite code exists already"),
    )
    tx.create(
        {
            **campaigns.code_key(code.tenant_id, code.code),
            "kind": "code",
            **code.model_dump(mode="json", exclude_none=True),
        },
        on_fail=Conflict("That code exists already; try again."),
    )
    tx.commit()


# Invitations ---------------------------------------------------------------------------------------
def invitations_partition(tenant_id: str, campaign_id: str) -> str:
    return f"T#{tenant_id}#INVITATIONS#{campaign_id}"


def invitees_partition(tenant_id: str, campaign_id: str, inviter_id: str) -> str:
    return f"T#{tenant_id}#INVITEES#{campaign_id}#{inviter_id}"


def _invitation_key(tenant_id: str, campaign_id: str, invitee_id: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, invitee_id), "sk": f"INVITATION#{campaign_id}"}


def _listed_by_status(item: Invitation) -> str:
    return f"{item.status}#{item.invited_at}#{item.invitee_id}"


def invitation(item: Invitation) -> Prepare:
    """The invitation, written with the conversion that decided it (so once per invitee and
    program); listed by the program, status first, and by the inviter."""

    def put(tx: Transaction) -> None:
        tx.put(
            {
                **_invitation_key(item.tenant_id, item.campaign_id, item.invitee_id),
                "kind": "invitation",
                "gsi1pk": invitations_partition(item.tenant_id, item.campaign_id),
                "gsi1sk": _listed_by_status(item),
                "gsi2pk": invitees_partition(item.tenant_id, item.campaign_id, item.inviter_id),
                "gsi2sk": f"{item.invited_at}#{item.invitee_id}",
                **item.model_dump(mode="json", exclude_none=True),
            }
        )

    return put


def get_invitation(tenant_id: str, campaign_id: str, invitee_id: str) -> Invitation | None:
    item = dynamo.get_item(table(), _invitation_key(tenant_id, campaign_id, invitee_id))
    return Invitation.model_validate(item) if item else None


def invitations_of(tenant_id: str, contact_id: str) -> list[Invitation]:
    """Every invitation that brought the contact (one per program at most), as committed now."""
    items = dynamo.partition_items(table(), contact_pk(tenant_id, contact_id), "INVITATION#", consistent=True)
    return [Invitation.model_validate(item) for item in items]


def invitations_page(
    tenant_id: str, campaign_id: str, status: str | None, limit: int, cursor: str | None
) -> tuple[list[Invitation], str | None]:
    page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=invitations_partition(tenant_id, campaign_id),
        limit=limit,
        cursor=cursor,
        index=GSI,
        sort_prefix=("gsi1sk", f"{status}#") if status else None,
        newest_first=True,
    )
    return [Invitation.model_validate(item) for item in page.items], page.next_cursor


def invitees_page(
    tenant_id: str, campaign_id: str, inviter_id: str, limit: int, cursor: str | None
) -> tuple[list[Invitation], str | None]:
    """The inviter's invitations in the program, newest first."""
    page = dynamo.query_page(
        table(),
        partition_attr="gsi2pk",
        partition_value=invitees_partition(tenant_id, campaign_id, inviter_id),
        limit=limit,
        cursor=cursor,
        index=INVITER_GSI,
        newest_first=True,
    )
    return [Invitation.model_validate(item) for item in page.items], page.next_cursor


# Qualifying actions --------------------------------------------------------------------------------
def _action_key(tenant_id: str, contact_id: str, action: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": f"DID#{action}"}


def record_action(tenant_id: str, contact_id: str, action: str, at: datetime) -> None:
    """The contact did a qualifying action; the first time is kept."""
    dynamo.client().update_item(
        TableName=table(),
        Key=dynamo.serialize(_action_key(tenant_id, contact_id, action)),
        UpdateExpression="SET #at = if_not_exists(#at, :at)",
        ExpressionAttributeNames={"#at": "at"},
        ExpressionAttributeValues=dynamo.serialize({":at": at.isoformat()}),
    )


def did(tenant_id: str, contact_id: str, action: str) -> bool:
    return dynamo.get_item(table(), _action_key(tenant_id, contact_id, action)) is not None


# Progress and rewards ------------------------------------------------------------------------------
def _progress_key(tenant_id: str, campaign_id: str, inviter_id: str) -> dict[str, str]:
    return {"pk": _inviter_pk(tenant_id, campaign_id, inviter_id), "sk": "PROGRESS"}


def leaderboard_partition(tenant_id: str, campaign_id: str) -> str:
    return f"T#{tenant_id}#LEADERBOARD#{campaign_id}"


@dataclass(frozen=True)
class Progress:
    """The inviter's counted qualified invitees, and how many times each stage was taken back (a
    stage reached again after a claw-back is a new reward: its id carries the round)."""

    qualified: int = 0
    reversed_stages: dict[int, int] = field(default_factory=dict)

    def round_of(self, stage: int) -> int:
        return 1 + self.reversed_stages.get(stage, 0)


def progress(tenant_id: str, campaign_id: str, inviter_id: str) -> Progress:
    item = dynamo.get_item(table(), _progress_key(tenant_id, campaign_id, inviter_id))
    if not item:
        return Progress()
    rounds = {int(name.removeprefix("reversed_")): int(n) for name, n in item.items() if name.startswith("reversed_")}
    return Progress(qualified=int(item.get("qualified", 0)), reversed_stages=rounds)


def qualified_count(tenant_id: str, campaign_id: str, inviter_id: str) -> int:
    """The inviter's counted qualified invitees in the program."""
    return progress(tenant_id, campaign_id, inviter_id).qualified


def reward_item(tenant_id: str, reward: ReferralReward) -> dict[str, Any]:
    return {
        "pk": contact_pk(tenant_id, reward.contact_id),
        "sk": f"REWARD#{reward.reward_id}",
        "kind": "referral_reward",
        **reward.model_dump(mode="json", exclude_none=True),
    }


def rewards_of(tenant_id: str, contact_id: str) -> list[ReferralReward]:
    """Every referral reward the contact earned, in any program."""
    items = dynamo.partition_items(table(), contact_pk(tenant_id, contact_id), "REWARD#")
    return [ReferralReward.model_validate(item) for item in items]


def record_qualification(
    campaign: Campaign,
    invitation: Invitation,
    qualified_at: str,
    counted_before: int | None,
    rewards: list[ReferralReward],
    events: list[BaseModel],
) -> None:
    """Qualify a pending invitation, all in one transaction. ``counted_before``: the inviter's count
    as read, the invitee counting on top of it (``None``: over the cap, counted nowhere). Raises
    ``NotPending`` (a duplicate), ``ProgressMoved`` or ``CampaignMoved`` (read again and decide
    again); nothing is written then."""
    tenant_id, campaign_id = campaign.tenant_id, campaign.campaign_id
    qualified = invitation.model_copy(
        update={"status": "qualified", "qualified_at": qualified_at, "counted": counted_before is not None}
    )
    tx = Transaction(table())
    tx.update(
        _invitation_key(tenant_id, campaign_id, invitation.invitee_id),
        "SET #status = :qualified, qualified_at = :at, counted = :counted, gsi1sk = :listed",
        condition="#status = :pending",
        names={"#status": "status"},
        values={
            ":qualified": "qualified",
            ":pending": "pending",
            ":at": qualified_at,
            ":counted": qualified.counted,
            ":listed": _listed_by_status(qualified),
        },
        on_fail=NotPending("the invitation is not pending"),
    )
    stage_points = sum(r.points for r in rewards if r.contact_id == invitation.inviter_id)
    if counted_before is not None:
        after = counted_before + 1
        first = counted_before == 0
        tx.update(
            _progress_key(tenant_id, campaign_id, invitation.inviter_id),
            "SET qualified = :after, inviter_id = :inviter, campaign_id = :campaign, gsi1pk = :board, "
            "gsi1sk = :rank ADD points :points",
            # No progress yet, or back at 0 after a claw-back.
            condition="attribute_not_exists(pk) OR qualified = :before" if first else "qualified = :before",
            values={
                ":after": after,
                ":inviter": invitation.inviter_id,
                ":campaign": campaign_id,
                ":board": leaderboard_partition(tenant_id, campaign_id),
                ":rank": f"{after:0{RANK_DIGITS}d}#{invitation.inviter_id}",
                ":points": stage_points,
                ":before": counted_before,
            },
            on_fail=ProgressMoved("another invitee of the inviter qualified first"),
        )
    for reward in rewards:
        tx.create(reward_item(tenant_id, reward), on_fail=NotPending(f"reward {reward.reward_id} was earned already"))
    paid = sum(r.points for r in rewards)
    campaigns.spend_budget(tx, campaign, paid)
    campaigns.count_stats(tx, tenant_id, campaign_id, "total", {"qualified": 1, "points_awarded": paid})
    publish_with(tx, tenant_id, *events)
    tx.commit()
    campaigns.remember_spent(campaign, paid)


def get_reward(tenant_id: str, contact_id: str, reward_id: str) -> ReferralReward | None:
    item = dynamo.get_item(table(), {"pk": contact_pk(tenant_id, contact_id), "sk": f"REWARD#{reward_id}"})
    return ReferralReward.model_validate(item) if item else None


def record_clawback(
    campaign: Campaign,
    invitation: Invitation,
    reason: str,
    at: str,
    counted_before: int | None,
    stage: int | None,
    reversed_rewards: list[ReferralReward],
    events: list[BaseModel],
) -> None:
    """Take a qualified invitation back, in one transaction: the invitation qualified → clawed
    back; when it counted, the inviter's count c → c - 1 over the count that was read, and
    ``stage`` (the one the count falls below, if any) moves to its next round; each reversed
    reward marked once. Raises ``NotPending`` when it was taken back already, ``ProgressMoved``."""
    tenant_id, campaign_id = campaign.tenant_id, campaign.campaign_id
    clawed = invitation.model_copy(update={"status": "clawed_back", "reason": reason})
    tx = Transaction(table())
    tx.update(
        _invitation_key(tenant_id, campaign_id, invitation.invitee_id),
        "SET #status = :clawed, reason = :reason, clawed_back_at = :at, gsi1sk = :listed",
        condition="#status = :qualified",
        names={"#status": "status"},
        values={
            ":clawed": "clawed_back",
            ":qualified": "qualified",
            ":reason": reason,
            ":at": at,
            ":listed": _listed_by_status(clawed),
        },
        on_fail=NotPending("the invitation is not qualified"),
    )
    if counted_before is not None:
        after = counted_before - 1
        stage_points = sum(r.points for r in reversed_rewards if r.contact_id == invitation.inviter_id)
        expression = "SET qualified = :after, gsi1sk = :rank ADD points :minus"
        values: dict[str, Any] = {
            ":after": after,
            ":before": counted_before,
            ":rank": f"{after:0{RANK_DIGITS}d}#{invitation.inviter_id}",
            ":minus": -stage_points,
        }
        if stage is not None:
            expression += f", reversed_{stage} :one"
            values[":one"] = 1
        tx.update(
            _progress_key(tenant_id, campaign_id, invitation.inviter_id),
            expression,
            condition="qualified = :before",
            values=values,
            on_fail=ProgressMoved("another invitee of the inviter qualified or was taken back first"),
        )
    for reward in reversed_rewards:
        tx.update(
            {"pk": contact_pk(tenant_id, reward.contact_id), "sk": f"REWARD#{reward.reward_id}"},
            "SET reversed_at = :at, reversal_reason = :reason",
            condition="attribute_not_exists(reversed_at)",
            values={":at": at, ":reason": reason},
            on_fail=NotPending(f"reward {reward.reward_id} was reversed already"),
        )
    campaigns.count_stats(tx, tenant_id, campaign_id, "total", {"clawed_back": 1})
    publish_with(tx, tenant_id, *events)
    tx.commit()


def reject(invitation: Invitation, reason: str) -> None:
    """A pending invitation turns out against the rules: rejected with the reason, nothing paid.
    ``NotPending`` when it was decided already."""
    rejected = invitation.model_copy(update={"status": "rejected", "reason": reason})
    tx = Transaction(table())
    tx.update(
        _invitation_key(invitation.tenant_id, invitation.campaign_id, invitation.invitee_id),
        "SET #status = :rejected, reason = :reason, gsi1sk = :listed",
        condition="#status = :pending",
        names={"#status": "status"},
        values={
            ":rejected": "rejected",
            ":pending": "pending",
            ":reason": reason,
            ":listed": _listed_by_status(rejected),
        },
        on_fail=NotPending("the invitation is not pending"),
    )
    tx.commit()


def leaderboard(
    tenant_id: str, campaign_id: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The program's inviters, most counted invitees first: one query."""
    page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=leaderboard_partition(tenant_id, campaign_id),
        limit=limit,
        cursor=cursor,
        index=GSI,
        newest_first=True,
        attributes=("inviter_id", "qualified", "points"),
    )
    return page.items, page.next_cursor


def _device_key(tenant_id: str, campaign_id: str, device_hash: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#DEVICE#{campaign_id}#{device_hash}", "sk": "DEVICE"}


def _reused_device_key(tenant_id: str, campaign_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": f"DEVICE#{campaign_id}"}


def claim_device(tenant_id: str, campaign_id: str, device_hash: str, contact_id: str) -> str:
    """Who opened the program's invites first on the device: the contact, if no one before."""
    key = _device_key(tenant_id, campaign_id, device_hash)
    try:
        dynamo.client().put_item(
            TableName=table(),
            Item=dynamo.serialize({**key, "contact_id": contact_id}),
            ConditionExpression="attribute_not_exists(pk)",
        )
        return contact_id
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        holder = dynamo.get_item(table(), key)
        assert holder is not None  # device claims are never deleted
        return str(holder["contact_id"])


def note_reused_device(tenant_id: str, campaign_id: str, contact_id: str, first_contact_id: str) -> None:
    item = {**_reused_device_key(tenant_id, campaign_id, contact_id), "first_contact_id": first_contact_id}
    dynamo.client().put_item(TableName=table(), Item=dynamo.serialize(item))


def reused_device(tenant_id: str, campaign_id: str, contact_id: str) -> str | None:
    """The contact that opened the program's invites first on a device this contact used too."""
    item = dynamo.get_item(table(), _reused_device_key(tenant_id, campaign_id, contact_id))
    return str(item["first_contact_id"]) if item else None


class DayCapReached(AlreadyProcessed):
    """The sharer was paid for as many new visitors today as the program allows."""


def record_share(tenant_id: str, campaign_id: str, member_id: str, share_id: str, channel: str, at: str) -> None:
    """A member's share of their invite link, counted in the program's statistics (nothing is paid)."""
    tx = Transaction(table())
    tx.create({**_share_key(tenant_id, campaign_id, member_id, share_id), "channel": channel, "shared_at": at})
    campaigns.count_stats(tx, tenant_id, campaign_id, "total", {"shares": 1})
    tx.commit()


def _share_key(tenant_id: str, campaign_id: str, member_id: str, share_id: str) -> dict[str, str]:
    return {"pk": _inviter_pk(tenant_id, campaign_id, member_id), "sk": f"SHARE#{share_id}"}


def mark_share_opened_in_group(tenant_id: str, campaign_id: str, member_id: str, share_id: str, at: str) -> None:
    """The member's share to a group was opened there (by someone else); ``AlreadyProcessed`` for a
    repeat, or for no such share of the member's to a group."""
    tx = Transaction(table())
    tx.update(
        _share_key(tenant_id, campaign_id, member_id, share_id),
        "SET opened_in_group = :at",
        condition="attribute_exists(pk) AND channel = :group AND attribute_not_exists(opened_in_group)",
        values={":at": at, ":group": "group"},
        on_fail=AlreadyProcessed(f"share {share_id} was seen opened in a group already, or is not to a group"),
    )
    tx.commit()


def record_share_reward(
    campaign: Campaign, reward: ReferralReward, day: str, per_day: int, events: list[BaseModel]
) -> None:
    """Pay a sharer for a new visitor, once per visitor (``NotPending`` on a repeat), within the
    sharer's day (``DayCapReached``) and the budget (``CampaignMoved``): one transaction."""
    tenant_id, campaign_id = campaign.tenant_id, campaign.campaign_id
    tx = Transaction(table())
    tx.create(reward_item(tenant_id, reward), on_fail=NotPending(f"reward {reward.reward_id} was earned already"))
    tx.update(
        {"pk": _inviter_pk(tenant_id, campaign_id, reward.contact_id), "sk": f"SHARED#{day}"},
        "ADD paid :one",
        condition="attribute_not_exists(pk) OR paid < :most",
        values={":one": 1, ":most": per_day},
        on_fail=DayCapReached(f"the sharer was paid for {per_day} new visitors on {day}"),
    )
    campaigns.spend_budget(tx, campaign, reward.points)
    campaigns.count_stats(tx, tenant_id, campaign_id, "total", {"share_rewards": 1, "points_awarded": reward.points})
    publish_with(tx, tenant_id, *events)
    tx.commit()
    campaigns.remember_spent(campaign, reward.points)


def _poster_key(tenant_id: str, campaign_id: str) -> dict[str, str]:
    return {"pk": campaigns.campaign_pk(tenant_id, campaign_id), "sk": "POSTER"}


def put_poster_background(tenant_id: str, campaign_id: str, image: bytes, at: str) -> None:
    """The program's poster background, and when it was set on the program (its version moves on)."""
    tx = Transaction(table())
    tx.put({**_poster_key(tenant_id, campaign_id), "image": image})
    _poster_set_at(tx, tenant_id, campaign_id, at)
    tx.commit()


def delete_poster_background(tenant_id: str, campaign_id: str) -> None:
    tx = Transaction(table())
    tx.delete(_poster_key(tenant_id, campaign_id))
    _poster_set_at(tx, tenant_id, campaign_id, None)
    tx.commit()


def _poster_set_at(tx: Transaction, tenant_id: str, campaign_id: str, at: str | None) -> None:
    """The program says when its background was set (None: removed), on a new version."""
    tx.update(
        campaigns.campaign_key(tenant_id, campaign_id),
        "SET #version = #version + :one" + (", poster_set_at = :at" if at is not None else " REMOVE poster_set_at"),
        condition="attribute_exists(pk)",
        names={"#version": "version"},
        values={":one": 1} | ({":at": at} if at is not None else {}),
    )


def poster_background(tenant_id: str, campaign_id: str) -> bytes | None:
    item = dynamo.get_item(table(), _poster_key(tenant_id, campaign_id), consistent=False)
    return bytes(item["image"]) if item else None
