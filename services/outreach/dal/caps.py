"""Per-contact frequency cap counters: one item per contact, channel family and calendar window.

A send adds its counters' conditional increments to the transaction that records it
(``count_in``): a counter at its limit cancels the whole transaction, so whatever sends — a
broadcast, a journey — and however many race, a contact never gets more than its cap.

Partition: T#{t}#CAP#{contact_id}, sk {family}#{D|W|M}#{window} → n (sends counted), ttl (a day
after the window ends).
"""

from __future__ import annotations

from collections.abc import Iterable

from services.outreach.dal.table import table
from services.outreach.models import CapWindow
from shared.dynamo import Transaction, batch_get
from shared.errors import Conflict
from shared.manifest import TTL_ATTRIBUTE


class CapReached(Conflict):
    """The contact has had as many messages on this channel as its cap allows in a window."""


def _key(tenant_id: str, contact_id: str, window: CapWindow) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#CAP#{contact_id}", "sk": window.key}


def count_in(tx: Transaction, tenant_id: str, contact_id: str, windows: Iterable[CapWindow]) -> Transaction:
    """Count one send in each window, on the condition that none is at its limit."""
    for window in windows:
        tx.update(
            _key(tenant_id, contact_id, window),
            "ADD n :one SET #ttl = :ttl",
            condition="attribute_not_exists(n) OR n < :limit",
            names={"#ttl": TTL_ATTRIBUTE},
            values={":one": 1, ":limit": window.limit, ":ttl": window.expires_at},
            on_fail=CapReached(
                f"The contact's cap {window.key} ({window.limit}) is reached.",
                reason="cap_reached",
                contact_id=contact_id,
            ),
        )
    return tx


def at_cap(tenant_id: str, wanted: dict[str, list[CapWindow]]) -> set[str]:
    """The contacts among ``wanted`` (contact → its windows) with a window at its limit now: what
    a preview counts (the send itself is decided by ``count_in``'s conditions)."""
    keys = [_key(tenant_id, contact_id, window) for contact_id, windows in wanted.items() for window in windows]
    limits = {
        (key["pk"], key["sk"]): window.limit
        for key, window in zip(keys, [window for windows in wanted.values() for window in windows], strict=True)
    }
    full: set[str] = set()
    for item in batch_get(table(), keys, consistent=False):
        if int(item.get("n", 0)) >= limits[(item["pk"], item["sk"])]:
            full.add(str(item["pk"]).rsplit("#CAP#", 1)[1])
    return full
