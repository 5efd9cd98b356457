"""The only code that touches the campaigns table.

Item layout (pk / sk), every key prefixed by the tenant:
- campaign   T#{t}#CAMPAIGN#{id} / CAMPAIGN          listed via gsi1 T#{t}#CAMPAIGNS / {id}
- stats      T#{t}#CAMPAIGN#{id} / STATS#{scope}      scope: total | code#{c} | channel#{c} | staff#{s}
- scanner    T#{t}#CAMPAIGN#{id} / SCANNER#{scope}#{contact}   first scan of a contact in a scope
- conversion T#{t}#CONTACT#{contact} / CONVERSION#{campaign}     at most one per campaign and contact;
  in the contact's partition, so a merge reads the alias's conversions with one Query
- alias      T#{t}#CONTACT#{contact} / MERGED                 the contact was merged into ``merged_into``
  (contacts' ContactsMerged); a conversion is written only for a contact without one
- code       T#{t}#CODE#{code} / CODE                 listed via gsi1 T#{t}#CAMPAIGN#{id}#CODES / {created}#{code}
- scan       T#{t}#SCAN#{scan_id} / SCAN
- daily      T#{t}#DAILY / DAY#{date}#{shard}         scans and conversions per business day (see
  ``daily``), counted in the transaction that records each scan and conversion

Referral programs' items (invites, invitations, progress, rewards) are laid out in ``referrals``.

Campaign changes are targeted updates guarded by the version; ``points_awarded`` is only ever
changed by a conversion's ``ADD`` guarded by the budget, so the two never overwrite each other.

A warm function remembers what it has read of four kinds of item, so that the scans of one poster
cost one write each rather than a read and a write: codes, scanner markers and conversions, which
never change or go once created, and campaigns, whose conversions are written on the condition that the
campaign's version is the one that was read (every change but ``points_awarded`` moves it, and that
only grows).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from services.campaigns.models import BUSINESS_ZONE, INVITE_CHANNEL, Campaign, ChannelCode
from shared import daily, dynamo, inbox
from shared.consumer import AlreadyProcessed
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate, Conflict
from shared.events.campaigns import ChannelCodeCreated
from shared.outbox import publish_with
from shared.settings import get_settings

GSI = "gsi1"
COUNTERS = (
    "scans",
    "unique_scanners",
    "acquired",
    "engaged",
    "points_awarded",
    "qualified",
    "clawed_back",
    "shares",
    "share_rewards",
)
REMEMBERED_MAX = 2048  # per kind; a warm function forgets everything when it reaches this

_read_codes: dict[tuple[str, str], ChannelCode] = {}
_read_campaigns: dict[tuple[str, str], Campaign] = {}
_known_scanners: dict[tuple[str, str, str], frozenset[str]] = {}  # (tenant, campaign, contact) → scopes
_known_conversions: dict[tuple[str, str, str], bool] = {}  # (tenant, campaign, contact) → converted
K = TypeVar("K")
V = TypeVar("V")


def _remember(memory: dict[K, V], key: K, value: V) -> None:
    if len(memory) >= REMEMBERED_MAX and key not in memory:
        memory.clear()
    memory[key] = value


class CampaignMoved(Conflict):
    """The campaign is not as it was read: it changed since (its version moved), or its budget no
    longer covers the reward. Nothing was written; read it again and decide again."""


class AlreadyConverted(Conflict):
    pass


class ContactMerged(ConcurrentUpdate):
    """The contact is an alias now (merged into another): nothing was written; resolve it again."""


class ScannerKnown(Conflict):
    def __init__(self, scope: str) -> None:
        super().__init__(f"already scanned in {scope}")
        self.scope = scope


class ScanRecorded(AlreadyProcessed):
    """A scan of this id is recorded already (a scan whose id comes from what it stands for, such
    as a WeCom add, delivered again): for a consumer, handled."""


class ScannersKnown(Conflict):
    """The contact had scanned before in these scopes: nothing was written."""

    def __init__(self, scopes: set[str]) -> None:
        super().__init__(f"already scanned in {sorted(scopes)}")
        self.scopes = scopes


def table() -> str:
    return get_settings().table("campaigns")


def campaign_pk(tenant_id: str, campaign_id: str) -> str:
    return f"T#{tenant_id}#CAMPAIGN#{campaign_id}"


def campaigns_partition(tenant_id: str) -> str:
    return f"T#{tenant_id}#CAMPAIGNS"


def codes_partition(tenant_id: str, campaign_id: str) -> str:
    return f"T#{tenant_id}#CAMPAIGN#{campaign_id}#CODES"


def campaign_key(tenant_id: str, campaign_id: str) -> dict[str, str]:
    return {"pk": campaign_pk(tenant_id, campaign_id), "sk": "CAMPAIGN"}


def code_key(tenant_id: str, code: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#CODE#{code}", "sk": "CODE"}


def contact_pk(tenant_id: str, contact_id: str) -> str:
    return f"T#{tenant_id}#CONTACT#{contact_id}"


def _conversion_key(tenant_id: str, contact_id: str, campaign_id: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": f"CONVERSION#{campaign_id}"}


def _alias_key(tenant_id: str, contact_id: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": "MERGED"}


def _not_merged(tx: Transaction, tenant_id: str, contact_id: str) -> None:
    """The transaction succeeds only while the contact is not an alias."""
    tx.check(
        _alias_key(tenant_id, contact_id),
        "attribute_not_exists(pk)",
        on_fail=ContactMerged(f"{contact_id} was merged into another contact"),
    )


def _stats_key(tenant_id: str, campaign_id: str, scope: str) -> dict[str, str]:
    return {"pk": campaign_pk(tenant_id, campaign_id), "sk": f"STATS#{scope}"}


# Campaigns ---------------------------------------------------------------------------------------
def create_campaign(campaign: Campaign, prepare: Prepare | None = None) -> None:
    item = {
        **campaign_key(campaign.tenant_id, campaign.campaign_id),
        "kind": "campaign",
        "gsi1pk": campaigns_partition(campaign.tenant_id),
        "gsi1sk": campaign.campaign_id,
        **campaign.model_dump(mode="json", exclude_none=True),
    }
    tx = Transaction(table())
    if prepare is not None:
        prepare(tx)
    tx.create(item, on_fail=Conflict("The campaign already exists.")).commit()


def get_campaign(tenant_id: str, campaign_id: str) -> Campaign | None:
    """The campaign as it is now (and remembered as such)."""
    item = dynamo.get_item(table(), campaign_key(tenant_id, campaign_id))
    if not item:
        return None
    campaign = Campaign.model_validate(item)
    _remember(_read_campaigns, (tenant_id, campaign_id), campaign)
    return campaign


def remembered_campaign(tenant_id: str, campaign_id: str) -> Campaign | None:
    """The campaign as this function last read or wrote it, perhaps no longer so (no request)."""
    return _read_campaigns.get((tenant_id, campaign_id))


def update_campaign(before: Campaign, changes: dict[str, Any], *, allowed_statuses: tuple[str, ...]) -> None:
    """Set the given fields (None removes one), bump the version; refused if the campaign moved on
    meanwhile, if its status is not allowed, or if a new budget is below what was already awarded."""
    names = {f"#{k}": k for k in changes} | {"#version": "version", "#status": "status"}
    values: dict[str, Any] = {f":{k}": v for k, v in changes.items() if v is not None} | {
        ":version": before.version,
        ":next": before.version + 1,
    }
    sets = [f"#{k} = :{k}" for k, v in changes.items() if v is not None] + ["#version = :next"]
    removals = [f"#{k}" for k, v in changes.items() if v is None]
    condition = "#version = :version"
    statuses = {f":s{i}": s for i, s in enumerate(allowed_statuses)}
    values.update(statuses)
    condition += f" AND #status IN ({', '.join(statuses)})"
    if "points_budget" in changes:
        names["#awarded"] = "points_awarded"
        condition += " AND #awarded <= :points_budget"
    tx = Transaction(table()).update(
        campaign_key(before.tenant_id, before.campaign_id),
        "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removals) if removals else ""),
        condition=condition,
        names=names,
        values=values,
        on_fail=ConcurrentUpdate("The campaign changed meanwhile, or the change does not fit its state."),
    )
    tx.commit()


def list_campaigns(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Campaign], str | None]:
    page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=campaigns_partition(tenant_id),
        limit=limit,
        cursor=cursor,
        index=GSI,
        newest_first=True,
    )
    return [Campaign.model_validate(item) for item in page.items], page.next_cursor


# Codes ---------------------------------------------------------------------------------------------
def create_code(code: ChannelCode, event: ChannelCodeCreated, prepare: Prepare | None = None) -> None:
    tx = Transaction(table())
    if prepare is not None:
        prepare(tx)
    publish_with(tx, code.tenant_id, event)
    tx.create(
        {
            **code_key(code.tenant_id, code.code),
            "kind": "code",
            "gsi1pk": codes_partition(code.tenant_id, code.campaign_id),
            "gsi1sk": f"{code.created_at}#{code.code}",
            **code.model_dump(mode="json", exclude_none=True),
        },
        on_fail=Conflict("That code exists already; try again."),
    )
    # The code's statistics row starts at zero and carries its dimensions for the stats query.
    tx.put(
        {
            **_stats_key(code.tenant_id, code.campaign_id, f"code#{code.code}"),
            "kind": "stats",
            "code": code.code,
            "channel": code.channel,
            "store": code.store,
            "staff_id": code.staff_id,
        }
    )
    tx.commit()


def get_code(tenant_id: str, code: str) -> ChannelCode | None:
    known = _read_codes.get((tenant_id, code))
    if known is not None:
        return known
    item = dynamo.get_item(table(), code_key(tenant_id, code), consistent=False)
    if not item:
        return None  # not remembered: the code may yet be created
    found = ChannelCode.model_validate(item)
    _remember(_read_codes, (tenant_id, code), found)
    return found


def list_codes(
    tenant_id: str, campaign_id: str, limit: int, cursor: str | None
) -> tuple[list[ChannelCode], str | None]:
    page = dynamo.query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=codes_partition(tenant_id, campaign_id),
        limit=limit,
        cursor=cursor,
        index=GSI,
    )
    return [ChannelCode.model_validate(item) for item in page.items], page.next_cursor


# Scans ---------------------------------------------------------------------------------------------
def stats_scopes(code: str, channel: str, staff_id: str | None) -> list[str]:
    """The statistics a scan of this code counts in: the campaign's, the code's, the channel's and
    the staff member's. A member's invite code has no row of its own (a program would list every
    member's): its scans count in the program's and the channel's."""
    own = [] if channel == INVITE_CHANNEL else [f"code#{code}"]
    return ["total", *own, f"channel#{channel}"] + ([f"staff#{staff_id}"] if staff_id else [])


def count_stats(tx: Transaction, tenant_id: str, campaign_id: str, scope: str, counters: dict[str, int]) -> None:
    counters = {name: value for name, value in counters.items() if value}
    if not counters:
        return
    tx.update(
        _stats_key(tenant_id, campaign_id, scope),
        "ADD " + ", ".join(f"#{name} :{name}" for name in counters),
        names={f"#{name}": name for name in counters},
        values={f":{n}": v for n, v in counters.items()},
    )


def record_scan(
    code: ChannelCode, contact_id: str, scan_id: str, scanned_at: str, event: BaseModel, known_scopes: set[str]
) -> None:
    """The scan, its statistics and its event, together. A contact's first scan in a scope creates
    its scanner marker and counts a unique scanner; ``ScannerKnown`` says a scope was not new."""
    tx = Transaction(table())
    pk = campaign_pk(code.tenant_id, code.campaign_id)
    tx.create(
        {
            "pk": f"T#{code.tenant_id}#SCAN#{scan_id}",
            "sk": "SCAN",
            "kind": "scan",
            "code": code.code,
            "campaign_id": code.campaign_id,
            "contact_id": contact_id,
            "scanned_at": scanned_at,
        },
        on_fail=ScanRecorded(f"scan {scan_id} is recorded already"),
    )
    for scope in stats_scopes(code.code, code.channel, code.staff_id):
        first = scope not in known_scopes
        if first:
            tx.create({"pk": pk, "sk": f"SCANNER#{scope}#{contact_id}", "kind": "scanner"}, on_fail=ScannerKnown(scope))
        count_stats(tx, code.tenant_id, code.campaign_id, scope, {"scans": 1, "unique_scanners": int(first)})
    daily.count(tx, code.tenant_id, daily.DayCount(daily.business_day(scanned_at, BUSINESS_ZONE), {"scans": 1}))
    publish_with(tx, code.tenant_id, event)
    try:
        tx.commit()
    except ScannerKnown:
        raise ScannersKnown({f.scope for f in tx.failed if isinstance(f, ScannerKnown)}) from None
    key = (code.tenant_id, code.campaign_id, contact_id)
    _remember(
        _known_scanners,
        key,
        _known_scanners.get(key, frozenset()) | set(stats_scopes(code.code, code.channel, code.staff_id)),
    )


def remembered_scanner_scopes(tenant_id: str, campaign_id: str, contact_id: str) -> set[str]:
    """Scopes in which this function saw the contact scan (no request). Never wrong, since scanner
    markers stay, only perhaps incomplete: ``record_scan`` learns of the others when it fails."""
    return set(_known_scanners.get((tenant_id, campaign_id, contact_id), ()))


def spend_budget(tx: Transaction, campaign: Campaign, points: int) -> None:
    """The transaction succeeds only over the campaign as it was read (its version) and, when it
    pays ``points``, only while they fit in the budget: ``CampaignMoved`` otherwise."""
    key = campaign_key(campaign.tenant_id, campaign.campaign_id)
    moved = CampaignMoved("The campaign changed, or its budget ran out, since it was read.")
    if points:
        tx.update(
            key,
            "ADD #awarded :points",
            condition="#version = :version AND #awarded <= :limit",
            names={"#awarded": "points_awarded", "#version": "version"},
            values={":points": points, ":limit": campaign.points_budget - points, ":version": campaign.version},
            on_fail=moved,
        )
    else:
        tx.check(
            key,
            "#version = :version",
            names={"#version": "version"},
            values={":version": campaign.version},
            on_fail=moved,
        )


def remember_spent(campaign: Campaign, points: int) -> None:
    """What is known of the budget's use only grows; the next decision starts from here."""
    if points:
        known = campaign.model_copy(update={"points_awarded": campaign.points_awarded + points})
        _remember(_read_campaigns, (campaign.tenant_id, campaign.campaign_id), known)


# Conversions ----------------------------------------------------------------------------------------
def record_conversion(
    campaign: Campaign,
    contact_id: str,
    scan_scopes: list[str],
    kind: str,
    points: int,
    event: BaseModel,
    scanned_at: datetime,
    prepare: Prepare | None = None,
) -> None:
    """A conversion at most once per (campaign, contact), its reward within the budget, its
    statistics (the day's: the scan's) and its event, in one transaction, written only over the
    campaign as it was read and only while the contact is not an alias. Raises
    ``AlreadyConverted``, ``CampaignMoved`` or ``ContactMerged`` (then nothing was written).
    ``prepare`` adds what else the conversion writes (a referral's invitation)."""
    tx = Transaction(table())
    if prepare is not None:
        prepare(tx)
    converted = (campaign.tenant_id, campaign.campaign_id, contact_id)
    if converted in _known_conversions:
        raise AlreadyConverted("converted already")
    tx.create(
        {
            **_conversion_key(campaign.tenant_id, contact_id, campaign.campaign_id),
            "kind": "conversion",
            "campaign_id": campaign.campaign_id,
            "conversion_kind": kind,
            "points": points,
        },
        on_fail=AlreadyConverted("converted already"),
    )
    _not_merged(tx, campaign.tenant_id, contact_id)
    spend_budget(tx, campaign, points)
    counters = {"acquired" if kind == "acquisition" else "engaged": 1, "points_awarded": points}
    for scope in scan_scopes:
        count_stats(tx, campaign.tenant_id, campaign.campaign_id, scope, counters)
    day = daily.business_day(scanned_at, BUSINESS_ZONE)
    daily.count(tx, campaign.tenant_id, daily.DayCount(day, {"acquired" if kind == "acquisition" else "engaged": 1}))
    publish_with(tx, campaign.tenant_id, event)
    try:
        tx.commit()
    except AlreadyConverted:
        _remember(_known_conversions, converted, True)
        raise
    _remember(_known_conversions, converted, True)
    remember_spent(campaign, points)


def stats_rows(tenant_id: str, campaign_id: str) -> list[dict[str, Any]]:
    """Every statistics row of a campaign, page after page."""
    return list(
        dynamo.query_pages(
            {
                "TableName": table(),
                "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
                "ExpressionAttributeValues": dynamo.serialize(
                    {":p": campaign_pk(tenant_id, campaign_id), ":s": "STATS#"}
                ),
            }
        )
    )


def daily_figures(tenant_id: str, dates: list[date], fields: Iterable[str]) -> list[dict[str, Any]]:
    """The tenant's daily counters over ``dates`` (shared.daily): one Query of this table."""
    return daily.read(table(), tenant_id, dates, fields)


# Merges ----------------------------------------------------------------------------------------------
def merged_into(tenant_id: str, contact_id: str) -> str | None:
    """The contact this one was merged into, if it is an alias."""
    item = dynamo.get_item(table(), _alias_key(tenant_id, contact_id))
    return str(item["merged_into"]) if item else None


def record_alias(tenant_id: str, alias_id: str, survivor_id: str) -> None:
    """The alias points at its survivor from now on; a repeat keeps the first pointer (contacts
    never absorbs a contact twice)."""
    tx = Transaction(table())
    tx.create({**_alias_key(tenant_id, alias_id), "kind": "alias", "merged_into": survivor_id})
    with contextlib.suppress(ConcurrentUpdate):  # recorded before
        tx.commit()


def converted_campaigns(tenant_id: str, contact_id: str) -> list[str]:
    """Every campaign that converted the contact (or that it inherited through a merge): one Query
    of the contact's partition, strongly consistent, so a conversion written before the contact
    became an alias is never missed."""
    return [
        str(campaign)
        for campaign in dynamo.consistent_values(
            table(), contact_pk(tenant_id, contact_id), "CONVERSION#", "campaign_id"
        )
    ]


def inherit_conversion(tenant_id: str, campaign_id: str, survivor_id: str, alias_id: str, *prepares: Prepare) -> bool:
    """The survivor counts as converted by the campaign, as the alias was: a marker without reward,
    statistics or event, written only while the survivor is not itself an alias (``ContactMerged``).
    False if the survivor had converted there already."""
    tx = Transaction(table())
    for prepare in prepares:
        prepare(tx)
    tx.create(
        {
            **_conversion_key(tenant_id, survivor_id, campaign_id),
            "kind": "conversion",
            "campaign_id": campaign_id,
            "inherited_from": alias_id,
        },
        on_fail=AlreadyConverted("converted already"),
    )
    _not_merged(tx, tenant_id, survivor_id)
    try:
        tx.commit()
    except AlreadyConverted:
        return False
    _remember(_known_conversions, (tenant_id, campaign_id, survivor_id), True)
    return True


def mark_handled(consumer: str, tenant_id: str, event_id: str) -> None:
    """Record that a consumer finished with an event that changed nothing in this table."""
    inbox.mark_handled(table(), consumer, tenant_id, event_id)
