"""Contacts merged (``ContactsMerged``): a campaign converts a person once, whichever of their
contacts scans.

Campaigns keeps its own record of each alias (``MERGED`` in the alias's partition, pointing at
its survivor) and reads the alias's conversions from its own partition (one Query, never a scan).
The survivor then counts as converted by every campaign the alias converted in: a marker without
reward, statistics or event, so no conversion or award is created, and the alias keeps its own
(what it was awarded stays awarded, the figures stay as they are). A conversion for the alias that
comes later (a scan in flight) is written for the survivor instead, where the marker, or the
survivor's own conversion, makes it a no-op.

Every write that could race with a merge is conditional on its contact not being an alias (see the
DAL): the merge records the alias first and reads its conversions after, so a conversion is either
seen by that read or redirected. Repeats are harmless: the pointer and each marker are created once,
and the event's processed marker is written last."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from services.campaigns.dal import campaigns as dal
from services.campaigns.logic import clawback
from services.campaigns.service import MERGES_CONSUMER
from shared.observability import logger
from shared.retry import retry_on_race

HOPS = 8  # far more merges of one person than anyone makes; contacts forms no cycles


def holder_id(tenant_id: str, contact_id: str) -> str:
    """The contact holding this one's conversions: itself, or the end of its chain of merges."""
    for _ in range(HOPS):
        survivor = dal.merged_into(tenant_id, contact_id)
        if survivor is None:
            return contact_id
        contact_id = survivor
    raise ValueError(f"{contact_id} is merged further than {HOPS} times, or in a cycle")


def on_contacts_merged(tenant_id: str, survivor_id: str, alias_id: str, event_id: str, at: datetime) -> None:
    if holder_id(tenant_id, survivor_id) == alias_id:
        raise ValueError(f"merging {alias_id} into {survivor_id} would form a cycle")
    dal.record_alias(tenant_id, alias_id, survivor_id)
    for campaign_id in dal.converted_campaigns(tenant_id, alias_id):
        retry_on_race(partial(_inherit, tenant_id, campaign_id, survivor_id, alias_id))
    clawback.on_merged(tenant_id, survivor_id, alias_id, at)  # one person invited twice, or by themself
    dal.mark_handled(MERGES_CONSUMER.name, tenant_id, event_id)


def _inherit(tenant_id: str, campaign_id: str, survivor_id: str, alias_id: str, _attempt: int) -> None:
    """Mark the contact holding the survivor's conversions now (the survivor, unless a later merge
    took it further) as converted by the campaign; ``ContactMerged`` if that moved meanwhile."""
    holder = holder_id(tenant_id, survivor_id)
    if not dal.inherit_conversion(tenant_id, campaign_id, holder, alias_id):
        logger.info("survivor had converted already", extra={"campaign_id": campaign_id, "contact_id": holder})
