"""What the local fake WeChat would have delivered, and the channels' send-rate slots.

Partitions (pk):
- T#{t}#FAKEWECHAT           the fake's deliveries (sk the message id; local stack only, TTL 7 days)
- RATE#{t}#{channel}         sends started in one second (sk the epoch second; TTL 2 min)
"""

from __future__ import annotations

import time
from typing import Any

from services.outreach.dal.table import table
from shared.clock import now_rfc3339
from shared.dynamo import Transaction, query_page
from shared.errors import Conflict
from shared.manifest import TTL_ATTRIBUTE

FAKE_TTL_SECONDS = 7 * 86_400


def record_fake(tenant_id: str, message_id: str, channel: str, body: dict[str, Any]) -> None:
    tx = Transaction(table())
    tx.put(
        {
            "pk": f"T#{tenant_id}#FAKEWECHAT",
            "sk": message_id,
            "channel": channel,
            "body": body,
            "sent_at": now_rfc3339(),
            TTL_ATTRIBUTE: int(time.time()) + FAKE_TTL_SECONDS,
        }
    )
    tx.commit()


def fake_deliveries(tenant_id: str, limit: int = 200) -> list[dict[str, Any]]:
    found = query_page(
        table(), partition_attr="pk", partition_value=f"T#{tenant_id}#FAKEWECHAT", limit=limit, cursor=None
    )
    return found.items


class RateFull(Conflict):
    """The channel has started as many sends this second as its rate allows."""


def take_rate_slot(tenant_id: str, channel: str, second: int, per_second: int) -> bool:
    """Count one send in ``second`` unless ``per_second`` have started in it; False when full."""
    tx = Transaction(table())
    tx.update(
        {"pk": f"RATE#{tenant_id}#{channel}", "sk": str(second)},
        "ADD n :one SET #ttl = :ttl",
        condition="attribute_not_exists(n) OR n < :limit",
        names={"#ttl": TTL_ATTRIBUTE},
        values={":one": 1, ":limit": per_second, ":ttl": int(time.time()) + 120},
        on_fail=RateFull("rate full"),
    )
    try:
        tx.commit()
    except RateFull:
        return False
    return True
