"""Two changes to the emulator (never to the deployed code), each keeping DynamoDB's semantics.

moto backs up a table before a transaction by deep-copying it, once per item of the transaction,
stream history included; the cost grows with every write the table has ever seen, which made a
long local session or the benchmark crawl. Here a transaction copies each table once, and the
stream shard is shared rather than copied; if the transaction is rolled back, the shard is cut
back to its length before it, so a cancelled transaction leaves no stream record (and so no
event), exactly as in DynamoDB.
"""

from __future__ import annotations

import copy
from typing import Any

_applied = False
_copies: dict[int, Any] = {}  # one backup per table per transaction (the emulator serialises requests)


def apply() -> None:
    global _applied  # noqa: PLW0603 - patch once per process
    if _applied:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    def table_backup(self: Any, memo: dict[int, Any]) -> Any:
        cached = _copies.get(id(self))
        if cached is not None:
            return cached
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            setattr(clone, name, value if name == "stream_shard" else copy.deepcopy(value, memo))
        _copies[id(self)] = clone
        return clone

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        names = {op.get("TableName") for item in transact_items for op in item.values()}
        shards = [
            (t.stream_shard, len(t.stream_shard.items))
            for name, t in self.tables.items()
            if name in names and t.stream_shard is not None
        ]
        _copies.clear()
        try:
            original(self, transact_items)
        except Exception:
            for shard, length in shards:
                del shard.items[length:]
            raise
        finally:
            _copies.clear()

    Table.__deepcopy__ = table_backup  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _applied = True
