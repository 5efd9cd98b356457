"""Per-day counters of a tenant's figures (the console's dashboard), each service keeping its own
in its own table: contacts (new contacts), campaigns (scans, conversions), points (issued,
redeemed). Only DALs call ``count`` and ``read``; ``window`` and ``business_day`` are plain dates.

Item layout: ``T#{tenant}#DAILY`` / ``DAY#{yyyy-mm-dd}#{shard}``, the day being the tenant's
business day. A counter is ``ADD``ed inside the transaction that records the counted fact once
(a contact's creation, a scan, a conversion, a ledger entry), so a duplicate event or a retry
that writes nothing counts nothing. A day's counts are spread over ``SHARDS`` items: two
transactions touching one item at the same moment cancel one of them, and every write of a
tenant's day would otherwise touch the same one. Reading a window is one Query of one partition.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from shared import dynamo
from shared.clock import parse_rfc3339
from shared.dynamo import Transaction

SHARDS = 8
LAST_SHARD = "~"  # sorts after every shard number: the upper bound of a day's items


class DayCount(NamedTuple):
    """What one recorded fact adds to its business day's counters."""

    day: date
    counters: Mapping[str, int]


def partition(tenant_id: str) -> str:
    return f"T#{tenant_id}#DAILY"


def business_day(moment: str | datetime, zone: str) -> date:
    """The day, in the tenant's business time zone, of an RFC 3339 moment."""
    from zoneinfo import ZoneInfo  # ~2.5 ms: only the writes that count pay for it

    at = parse_rfc3339(moment) if isinstance(moment, str) else moment
    return at.astimezone(ZoneInfo(zone)).date()


def count(tx: Transaction, tenant_id: str, tally: DayCount) -> None:
    """Add ``tally`` to its day in ``tx`` (the transaction that records the fact); zeros add nothing."""
    added = {name: value for name, value in tally.counters.items() if value}
    if not added:
        return
    shard = random.randrange(SHARDS)  # noqa: S311 - spreading writes over items, not security
    tx.update(
        {"pk": partition(tenant_id), "sk": f"DAY#{tally.day.isoformat()}#{shard}"},
        "SET #kind = :kind ADD " + ", ".join(f"#{name} :{name}" for name in added),
        names={"#kind": "kind"} | {f"#{name}": name for name in added},
        values={":kind": "daily"} | {f":{name}": value for name, value in added.items()},
    )


def window(zone: str, days: int, now: datetime) -> list[date]:
    """The last ``days`` business days up to today's, oldest first."""
    today = business_day(now, zone)
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


def read(table: str, tenant_id: str, dates: list[date], fields: Iterable[str]) -> list[dict[str, Any]]:
    """Each of ``dates`` (ascending) with its ``fields`` summed over the day's shards; a day or a
    field never counted is 0. One Query."""
    if not dates:
        return []
    names = tuple(fields)
    totals: dict[str, dict[str, int]] = {day.isoformat(): dict.fromkeys(names, 0) for day in dates}
    request = {
        "TableName": table,
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :low AND :high",
        "ExpressionAttributeValues": dynamo.serialize(
            {
                ":p": partition(tenant_id),
                ":low": f"DAY#{dates[0].isoformat()}#",
                ":high": f"DAY#{dates[-1].isoformat()}#{LAST_SHARD}",
            }
        ),
    }
    for item in dynamo.query_pages(request):
        row = totals.get(str(item["sk"]).split("#")[1])
        if row is None:
            continue
        for name in names:
            row[name] += int(item.get(name, 0))
    return [{"date": day, **row} for day, row in totals.items()]
