"""Campaigns follows a merge: a campaign converts a person once. After ``ContactsMerged`` the
survivor counts as converted wherever the alias converted, with no new conversion, award or figure
and without losing the alias's; a scan by either contact later converts nothing more there, and a
scan for the alias in another campaign converts the survivor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.campaigns.dal import campaigns as dal
from services.campaigns.logic import attribution
from services.campaigns.service import ATTRIBUTION_CONSUMER, MERGES_CONSUMER
from shared import ids
from shared.events.campaigns import CampaignConversionRecorded
from shared.events.contacts import ScanAttributed
from tests.unit.conftest import Client
from tests.unit.test_campaigns_api import campaign, code
from tests.unit.test_merge_followers import dead_lettered, deliver, merged

MERGES = MERGES_CONSUMER.handler
FIGURES = ("scans", "unique_scanners", "acquired", "engaged", "points_awarded")


def new_campaign(client: Client, admin: str) -> tuple[str, str]:
    campaign_id = campaign(client, admin)["campaign_id"]
    return campaign_id, code(client, admin, campaign_id)["code"]


def attributed(contact_id: str, campaign_id: str, code_value: str, acquired: bool = False) -> dict[str, Any]:
    return {
        "scan_id": ids.new_id("sc_"),
        "contact_id": contact_id,
        "campaign_id": campaign_id,
        "code": code_value,
        "channel": "poster",
        "acquired": acquired,
        "scanned_at": datetime.now(UTC).isoformat(),
    }


def scan(tenant: str, contact_id: str, campaign_id: str, code_value: str, acquired: bool = False) -> None:
    data = attributed(contact_id, campaign_id, code_value, acquired)
    deliver(ATTRIBUTION_CONSUMER.handler, tenant, "ScanAttributed", data)


def figures(client: Client, admin: str, campaign_id: str) -> tuple[int, ...]:
    stats = client.get(f"/v1/campaigns/{campaign_id}/stats", token=admin).json
    return tuple(stats[name] for name in FIGURES)


def test_the_survivor_inherits_the_aliass_conversions_without_new_ones(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    (p, p_code), (q, q_code), (r, r_code) = (new_campaign(client, admin) for _ in range(3))
    survivor, alias = ids.new_id("ct_"), ids.new_id("ct_")
    scan(tenant, alias, p, p_code, acquired=True)  # 100 points
    scan(tenant, alias, q, q_code)  # 10 points
    scan(tenant, survivor, q, q_code)  # the survivor had converted in q on its own
    before = {campaign_id: figures(client, admin, campaign_id) for campaign_id in (p, q, r)}
    assert (before[p][2:], before[q][2:]) == ((1, 0, 100), (0, 2, 20))

    event = merged(survivor, alias)
    for event_id in ("evt-cpm-1", "evt-cpm-1", None):  # redelivered, then published again
        deliver(MERGES, tenant, "ContactsMerged", event, event_id=event_id)
    assert sorted(dal.converted_campaigns(tenant, survivor)) == sorted([p, q])
    assert sorted(dal.converted_campaigns(tenant, alias)) == sorted([p, q])  # the alias keeps its own
    assert {campaign_id: figures(client, admin, campaign_id) for campaign_id in (p, q, r)} == before

    # Later scans by the merged person, under either contact, convert nothing more in p and q...
    for contact_id in (survivor, alias):
        scan(tenant, contact_id, p, p_code)
        scan(tenant, contact_id, q, q_code)
    assert (figures(client, admin, p)[2:], figures(client, admin, q)[2:]) == (before[p][2:], before[q][2:])
    # ...and a scan for the alias in a campaign neither converted in converts the survivor, once.
    scan(tenant, alias, r, r_code)
    scan(tenant, survivor, r, r_code)
    assert figures(client, admin, r)[2:] == (0, 1, 10)
    assert r in dal.converted_campaigns(tenant, survivor)
    assert r not in dal.converted_campaigns(tenant, alias)


def test_a_chain_whose_merges_arrive_backwards_reaches_the_last_survivor(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    p, p_code = new_campaign(client, admin)
    a, b, c = (ids.new_id("ct_") for _ in range(3))
    scan(tenant, a, p, p_code, acquired=True)
    before = figures(client, admin, p)
    for event in (merged(c, b, version=8), merged(b, a, version=7)):
        deliver(MERGES, tenant, "ContactsMerged", event)
    assert dal.converted_campaigns(tenant, c) == [p]
    assert dal.converted_campaigns(tenant, b) == []  # b was an alias already: c holds it all
    for contact_id in (a, b, c):
        scan(tenant, contact_id, p, p_code)
    assert figures(client, admin, p)[2:] == before[2:]


def test_a_conversion_that_lost_the_race_with_the_merge_is_redirected(client: Client, tenant: str) -> None:
    """The attribution read the alias as unmerged; the merge recorded it before the write: the
    write is refused and decided again for the survivor."""
    admin = client.staff_token(tenant)
    p, p_code = new_campaign(client, admin)
    survivor, alias = ids.new_id("ct_"), ids.new_id("ct_")
    deliver(MERGES, tenant, "ContactsMerged", merged(survivor, alias))
    found = dal.get_campaign(tenant, p)
    assert found is not None
    stale = CampaignConversionRecorded(
        scan_id=ids.new_id("sc_"),
        contact_id=alias,
        campaign_id=p,
        code=p_code,
        channel="poster",
        conversion_id=attribution.conversion_id(p, alias),
        kind="engagement",
        points=10,
        rewarded=True,
    )
    with pytest.raises(dal.ContactMerged):
        dal.record_conversion(found, alias, ["total"], "engagement", 10, stale, datetime.now(UTC))
    attribution.on_scan_attributed(tenant, ScanAttributed.model_validate(attributed(alias, p, p_code)))
    assert (dal.converted_campaigns(tenant, survivor), dal.converted_campaigns(tenant, alias)) == ([p], [])
    assert figures(client, admin, p)[2:] == (0, 1, 10)


def test_a_merge_that_would_form_a_cycle_is_dead_lettered(client: Client, tenant: str) -> None:
    a, b = ids.new_id("ct_"), ids.new_id("ct_")
    deliver(MERGES, tenant, "ContactsMerged", merged(b, a))
    backwards = f"evt-cycle-{ids.new_id('x_')}"
    deliver(MERGES, tenant, "ContactsMerged", merged(a, b), event_id=backwards)
    assert dead_lettered(MERGES_CONSUMER.name, backwards)
    assert dal.merged_into(tenant, b) is None
