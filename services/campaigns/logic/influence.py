"""The influence network (微网 / 微价值): who brought whom, what that brought, and who is a KOC.

- An edge inviter → invitee is made when the invitee qualifies (``InviteeQualified``, counted or
  not: the inviter brought the contact either way). Each contact has one inviter at most, so the
  network is a forest; a contact's node keeps its ancestors to depth 3.
- Per contact: direct qualified invitees, downstream qualified contacts to depth 3, and the
  downstream order value (orders of those contacts, from their first order on: an invitee's
  orders before it qualified are carried up when it does).
- Influence score: the tenant's weights over the three (``KocRule.score``), computed when read.
- KOC: a contact with at least ``min_downstream`` qualified contacts joining below it within
  ``window_days``, or (when set) a score of at least ``min_score``, is flagged once and
  ``KocIdentified`` is published once. Checked for the ancestors each time a contact joins below
  them, and for the ancestors of an ordering contact when the rule uses a score.

Cost per qualified invitee (``make bench``): the inviter's node and the invitee's spending (one
BatchGet), the transaction, the rule, the ancestors' counters (one BatchGet) and at most one
counting Query per ancestor: 4 + depth requests, under the 3 x depth + 3 the issue allows.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from services.campaigns.dal import influence as dal
from services.campaigns.dal import referrals as referral_dal
from services.campaigns.logic import clawback
from services.campaigns.models import MAX_DEPTH, Influence, KocList, KocRule, Network, NetworkEdge, NetworkNode
from shared.clock import rfc3339, utc_now
from shared.consumer import AlreadyProcessed
from shared.events.campaigns import InviteeQualified, KocIdentified
from shared.observability import logger
from shared.retry import retry_on_race

NETWORK_CAP = 500  # nodes a network answer holds at most (a KOC's tree can be far larger)


def on_qualified(tenant_id: str, qualified: InviteeQualified) -> None:
    """The invitee joins the network under its inviter (once), then its ancestors' KOC rule is checked."""
    ancestors: list[str] = []

    def attempt(_: int) -> None:
        nonlocal ancestors
        inviter_node, spent = dal.node_and_spent(tenant_id, qualified.invitee_id, qualified.inviter_id)
        above = list(inviter_node["ancestors"]) if inviter_node else []
        ancestors = [qualified.inviter_id, *above][:MAX_DEPTH]
        if qualified.invitee_id in ancestors:  # a cycle: qualification rejects these before
            logger.warning("invitation would close a cycle", extra={"invitee_id": qualified.invitee_id})
            ancestors = []
            return
        dal.add_node(
            tenant_id, qualified.invitee_id, ancestors, qualified.campaign_id, rfc3339(qualified.qualified_at), spent
        )

    with contextlib.suppress(AlreadyProcessed):  # a redelivery: the rule is checked again below (flags are once)
        retry_on_race(attempt, races=dal.NodeMoved)
    if ancestors:
        check_koc(tenant_id, ancestors, utc_now())


def on_order(tenant_id: str, contact_id: str, partner: str, order_id: str, amount_fen: int) -> None:
    """An order counts for the network when its buyer is in it, or is an invitee not in it yet
    (carried up when it joins)."""
    if amount_fen == 0:
        return
    counted: list[str] | None = None  # the ancestors the order was carried to
    kept = False  # the network keeps the order (now, or on an earlier delivery)

    def attempt(_: int) -> None:
        nonlocal counted, kept
        ancestors = dal.ancestors_of(tenant_id, contact_id)
        if ancestors is None and not any(
            # qualified too: its node may be on its way (the qualifying order itself, often)
            i.status in ("pending", "qualified")
            for i in referral_dal.invitations_of(tenant_id, contact_id)
        ):
            return  # not an invitee: the network has nothing to do with the order
        kept = True
        dal.add_order(tenant_id, contact_id, partner, order_id, amount_fen, ancestors)
        counted = ancestors

    # An order counted before still follows a refund its first delivery may not have reached.
    with contextlib.suppress(AlreadyProcessed):
        retry_on_race(attempt, races=dal.NodeMoved)
    if kept:
        clawback.on_order_counted(tenant_id, contact_id, partner, order_id)
    if counted:
        rule = dal.get_rule(tenant_id)
        if rule.min_score is not None:  # only a score can cross the rule on an order
            check_koc(tenant_id, counted, utc_now(), rule)


def check_koc(tenant_id: str, contact_ids: list[str], now: datetime, rule: KocRule | None = None) -> None:
    """Flag each of the contacts that crosses the tenant's rule now and is not flagged yet."""
    rule = rule or dal.get_rule(tenant_id)
    rows = dal.influence_rows(tenant_id, contact_ids)
    since = rfc3339(now - timedelta(days=rule.window_days))
    for contact_id in contact_ids:
        row = rows.get(contact_id)
        if row is None or row.get("koc_at"):
            continue
        downstream = int(row.get("downstream", 0))
        score = rule.score(int(row.get("direct", 0)), downstream, int(row.get("gmv_fen", 0)))
        by_score = rule.min_score is not None and score >= rule.min_score
        if by_score or (
            downstream >= rule.min_downstream
            and dal.joined_since(tenant_id, contact_id, since, rule.min_downstream) >= rule.min_downstream
        ):
            event = KocIdentified(contact_id=contact_id, downstream=downstream, score=score, identified_at=now)
            if dal.flag_koc(tenant_id, contact_id, rfc3339(now), event):
                logger.info("KOC identified", extra={"contact_id": contact_id})


def influence_of(tenant_id: str, contact_id: str, rule: KocRule | None = None) -> Influence:
    rule = rule or dal.get_rule(tenant_id)
    return _influence(contact_id, dal.influence_rows(tenant_id, [contact_id]).get(contact_id, {}), rule)


def _influence(contact_id: str, row: dict[str, object], rule: KocRule) -> Influence:
    direct, downstream, gmv = (int(str(row.get(name, 0))) for name in ("direct", "downstream", "gmv_fen"))
    koc_at, inviter_id = row.get("koc_at"), row.get("inviter_id")
    return Influence(
        contact_id=contact_id,
        inviter_id=str(inviter_id) if inviter_id else None,
        direct=direct,
        downstream=downstream,
        gmv_fen=gmv,
        score=rule.score(direct, downstream, gmv),
        koc=koc_at is not None,
        koc_at=str(koc_at) if koc_at else None,
    )


def network(tenant_id: str, contact_id: str, depth: int) -> Network:
    """The contact and the contacts it brought, to ``depth`` (≤ 3), at most ``NETWORK_CAP`` of them."""
    rows, more = dal.downstream(tenant_id, contact_id, NETWORK_CAP)
    within = [row for row in rows if int(row["depth"]) <= depth]
    return Network(
        root=influence_of(tenant_id, contact_id),
        nodes=[
            NetworkNode(contact_id=contact_id, depth=0),
            *(NetworkNode(contact_id=row["contact_id"], depth=int(row["depth"])) for row in within),
        ],
        edges=[
            NetworkEdge(
                inviter_id=row["inviter_id"],
                invitee_id=row["contact_id"],
                campaign_id=row["campaign_id"],
                joined_at=row["joined_at"],
            )
            for row in within
        ],
        truncated=more,
    )


def kocs(tenant_id: str, limit: int, cursor: str | None) -> KocList:
    rule = dal.get_rule(tenant_id)
    rows, next_cursor = dal.koc_page(tenant_id, limit, cursor)
    return KocList(items=[_influence(str(row["contact_id"]), row, rule) for row in rows], next_cursor=next_cursor)


def rule(tenant_id: str) -> KocRule:
    return dal.get_rule(tenant_id)


def set_rule(tenant_id: str, new: KocRule) -> KocRule:
    dal.put_rule(tenant_id, new)
    return new
