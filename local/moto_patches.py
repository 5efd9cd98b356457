"""Changes to the emulator (never to the deployed code) that keep a long local session bounded, each
keeping the semantics of the AWS service it emulates.

- moto records every model object it ever creates in a class-level list (``instances_tracked``,
  for its dashboard), so no item, stream record, message or shard iterator is ever freed. Nothing
  in the local stack uses that dashboard: objects are no longer tracked, and memory follows the
  data rather than the number of requests (but for each table's stream, which moto keeps whole
  where DynamoDB keeps 24 hours: a record of a few KB per write).
- Before a transaction moto deep-copies every table it touches, to put the copy back if the
  transaction is cancelled: a cost that grows with the table. Here a transaction instead keeps the
  items it is about to touch and, if it is cancelled, puts exactly those back and cuts the tables'
  streams back to their length before it; so, as in DynamoDB, a cancelled transaction changes
  nothing and leaves no stream record (and so no event).
- A stream read that finds nothing hands back the iterator it was given (the position has not
  moved), and iterators unused for 15 minutes expire, as in DynamoDB Streams; moto otherwise keeps
  every iterator it ever issued.
- A record landing in a table's stream, or a message in a queue, rings that resource's bell
  (``local.wakeup``), so a pump sleeping on it wakes at once.
- Two pure caches for speed, as the emulator is shared by every request and pump: moto looked for
  each request's service by listing its own package directory (twice per request: a few hundred
  ``stat`` calls, half the emulator's work), and EventBridge built a JSONPath parser for every
  event it routed to every target. Both answers never change in a process, so each is computed once.
- SQS built a queue's whole attribute map, counting every message three times, for each message
  sent (to read ``ContentBasedDeduplication``, a FIFO setting): a cost that grew with the queue's
  backlog, so a burst of events slowed down as it went. The counts are now made only when read
  (``GetQueueAttributes``), and a message's visibility is checked against ``time.time()``
  rather than a datetime built for each message.
- A stream read's records are already in DynamoDB's wire shape; moto's generic serializer walked
  every attribute of every image against the API model to write them again (a quarter of the
  local stack's CPU in a busy flow). They are written out as JSON directly, the timestamp as
  epoch seconds and binary values in base64, as the serializer wrote them. So are the answers of
  the item operations (get, put, update, delete, query, scan, their batches and transactions):
  the serializer walked each item's attributes against the API model, over a third of the
  emulator's time in a write-heavy test.
- moto answered every query by listing and sorting the whole table, then keeping the items of the
  asked partition: a query's cost grew with everything the session ever wrote (tens of thousands
  of items by the end of the suite). A table query now reads its partition only, and an index
  query sorts only the items whose index key matches; what the query then does with them (range
  condition, order, paging, filter, projection) is moto's own code, unchanged.
- A replay (``make replay``) sends only the archived events of its time window, and only to the
  rules it names, as EventBridge does. The archive, like each table's stream, is kept whole.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from local.wakeup import BELLS, queue_bell, table_bell

ITERATOR_LIFETIME_SECONDS = 15 * 60  # DynamoDB Streams' own

_applied = False


@dataclass
class _Before:
    """An item as it was before a transaction touched it (None: it did not exist)."""

    table: Any
    hash_key: Any
    range_key: Any
    item: Any


class _Transaction:
    # The emulator serialises requests, so at most one transaction is in progress at a time.
    in_progress = False


def apply() -> None:
    global _applied  # noqa: PLW0603 - patch once per process
    if _applied:
        return
    _stop_tracking_instances()
    _journal_transactions()
    _reuse_and_expire_shard_iterators()
    _ring_bells()
    _replay_the_window_to_the_chosen_rules()
    _cache_service_lookup_and_jsonpath()
    _count_queue_messages_only_when_read()
    _stream_records_written_as_they_are()
    _item_answers_written_as_they_are()
    _query_reads_its_partition_only()
    _applied = True


def _stop_tracking_instances() -> None:
    from moto.core.common_models import BaseModel

    def untracked_new(cls: Any, *args: Any, **kwargs: Any) -> Any:
        return super(BaseModel, cls).__new__(cls)

    BaseModel.__new__ = staticmethod(untracked_new)  # type: ignore[method-assign]


def _journal_transactions() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    def table_deepcopy(self: Any, memo: dict[int, Any]) -> Any:
        if _Transaction.in_progress:
            return self  # moto's backup of the table: the journal below stands in for it
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            setattr(clone, name, copy.deepcopy(value, memo))
        return clone

    def items_before(backend: Any, transact_items: list[dict[str, Any]]) -> list[_Before]:
        journal = []
        for operation in transact_items:
            for kind, request in operation.items():
                table = backend.tables.get(request.get("TableName"))
                key = request.get("Item") if kind == "Put" else request.get("Key")
                if table is None or not isinstance(key, dict) or table.hash_key_attr not in key:
                    continue  # moto rejects the operation before it changes anything
                hash_key = DynamoType(key[table.hash_key_attr])
                range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr in key else None
                if table.has_range_key and range_key is None:
                    continue
                current = table.get_item(hash_key, range_key)
                # An update changes the stored item in place, so the journal keeps a copy of it.
                journal.append(_Before(table, hash_key, range_key, copy.deepcopy(current)))
        return journal

    def put_back(before: _Before) -> None:
        items = before.table.items
        if before.range_key is None:
            if before.item is None:
                items.pop(before.hash_key, None)
            else:
                items[before.hash_key] = before.item
            return
        if before.item is None:
            items.get(before.hash_key, {}).pop(before.range_key, None)
            if before.hash_key in items and not items[before.hash_key]:
                del items[before.hash_key]
        else:
            items[before.hash_key][before.range_key] = before.item

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        names = {request.get("TableName") for operation in transact_items for request in operation.values()}
        stream_lengths = [
            (table.stream_shard, len(table.stream_shard.items))
            for name, table in self.tables.items()
            if name in names and table.stream_shard is not None
        ]
        journal = items_before(self, transact_items)
        _Transaction.in_progress = True
        try:
            original(self, transact_items)
        except Exception:
            for before in reversed(journal):
                put_back(before)
            for shard, length in stream_lengths:
                del shard.items[length:]
            raise
        finally:
            _Transaction.in_progress = False

    Table.__deepcopy__ = table_deepcopy  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _reuse_and_expire_shard_iterators() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator

    swept_at: dict[int, float] = {}  # per backend: a sweep a minute is plenty for a 15-minute lifetime

    def drop_expired(backend: Any) -> None:
        now = time.monotonic()
        if now - swept_at.get(id(backend), 0.0) < 60:
            return
        swept_at[id(backend)] = now
        expired = [arn for arn, it in backend.shard_iterators.items() if now - _used_at(it) > ITERATOR_LIFETIME_SECONDS]
        for arn in expired:
            del backend.shard_iterators[arn]

    original_get = ShardIterator.get

    def get(self: Any, limit: int = 1000) -> dict[str, Any]:
        self.used_at = time.monotonic()
        if not self.stream_shard.get(self.sequence_number, 1):
            return {"NextShardIterator": self.arn, "Records": []}
        answer = original_get(self, limit)
        self.streams_backend.shard_iterators[answer["NextShardIterator"]].used_at = self.used_at
        return answer

    original_get_shard_iterator = DynamoDBStreamsBackend.get_shard_iterator

    def get_shard_iterator(self: Any, *args: Any, **kwargs: Any) -> Any:
        drop_expired(self)
        iterator: Any = original_get_shard_iterator(self, *args, **kwargs)
        iterator.used_at = time.monotonic()
        return iterator

    original_get_records = DynamoDBStreamsBackend.get_records

    def get_records(self: Any, iterator_arn: str, limit: int) -> dict[str, Any]:
        drop_expired(self)
        if iterator_arn not in self.shard_iterators:
            raise JsonRESTError("ExpiredIteratorException", "The iterator was last used over 15 minutes ago.")
        return original_get_records(self, iterator_arn, limit)

    ShardIterator.get = get  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_shard_iterator = get_shard_iterator  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_records = get_records  # type: ignore[method-assign]


def _used_at(iterator: Any) -> float:
    return float(getattr(iterator, "used_at", 0.0))


def _ring_bells() -> None:
    from moto.dynamodb.models.table import StreamShard
    from moto.sqs.models import Queue

    original_add_record = StreamShard.add

    def add_record(self: Any, old: Any, new: Any) -> None:
        original_add_record(self, old, new)
        BELLS.ring(table_bell(self.table.name))

    original_add_message = Queue.add_message

    def add_message(self: Any, message: Any) -> None:
        original_add_message(self, message)
        BELLS.ring(queue_bell(self.name))

    StreamShard.add = add_record  # type: ignore[method-assign]
    Queue.add_message = add_message  # type: ignore[method-assign]


def _replay_the_window_to_the_chosen_rules() -> None:
    """moto's replay sends every archived event to every rule of the bus; EventBridge's sends only
    the events that occurred between ``EventStartTime`` and ``EventEndTime``, and only to the rules
    in ``Destination.FilterArns`` when it is given. A replayed event keeps its detail (so the
    envelope's event id, by which consumers know it) and carries ``replay-name``, which keeps it
    out of the archive's own rule, as in AWS."""
    from moto.core.utils import unix_time
    from moto.events.models import Replay, ReplayState, events_backends

    def replay_events(self: Any, archive: Any) -> None:
        start, end = float(self.event_start_time), float(self.event_end_time)
        chosen = set(self.destination.get("FilterArns") or [])
        bus = events_backends[self.account_id][self.region].describe_event_bus(self.destination["Arn"].split("/")[-1])
        rules = [rule for rule in bus.rules.values() if not chosen or rule.arn in chosen]
        for event in list(archive.events):
            if not start <= float(event["time"]) <= end:
                continue
            for rule in rules:
                replayed: Any = dict(event, **{"id": str(uuid.uuid4()), "replay-name": self.name})
                rule.send_to_targets(replayed, transform_input=False)
        self.state = ReplayState.COMPLETED
        self.end_time = unix_time()

    Replay.replay_events = replay_events  # type: ignore[method-assign]


def _cache_service_lookup_and_jsonpath() -> None:
    import functools

    import jsonpath_ng.ext
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    # moto's EventBridge imports ``parse`` from here at each call; a parsed path is never mutated.
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)  # type: ignore[attr-defined]


# A queue's attributes that count its messages (each a pass over every message), and the properties
# moto computes them with.
_MESSAGE_COUNTS = {
    "ApproximateNumberOfMessages": "approximate_number_of_messages",
    "ApproximateNumberOfMessagesDelayed": "approximate_number_of_messages_delayed",
    "ApproximateNumberOfMessagesNotVisible": "approximate_number_of_messages_not_visible",
}


class _QueueAttributes(dict[str, Any]):
    """A queue's attributes, its message counts made on the first read of any of them (a read of
    the whole map, as GetQueueAttributes ``All`` makes, makes them too)."""

    def __init__(self, queue: Any, others: dict[str, Any]) -> None:
        super().__init__(others)
        self._queue: Any = queue

    def _count(self) -> None:
        if self._queue is not None:
            queue, self._queue = self._queue, None
            for name, prop in _MESSAGE_COUNTS.items():
                dict.__setitem__(self, name, getattr(queue, prop))

    def __getitem__(self, name: str) -> Any:
        if name in _MESSAGE_COUNTS:
            self._count()
        return super().__getitem__(name)

    def get(self, name: str, default: Any = None) -> Any:
        if name in _MESSAGE_COUNTS:
            self._count()
        return super().get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in _MESSAGE_COUNTS or super().__contains__(name)

    def __iter__(self) -> Any:
        self._count()
        return super().__iter__()

    def __len__(self) -> int:
        self._count()
        return super().__len__()

    def keys(self) -> Any:
        self._count()
        return super().keys()

    def items(self) -> Any:
        self._count()
        return super().items()

    def values(self) -> Any:
        self._count()
        return super().values()

    def __eq__(self, other: object) -> bool:
        self._count()
        return super().__eq__(other)

    __hash__ = None


class _WithoutCounts:
    """A queue whose message counts read as None: what moto's attribute map is built from here."""

    def __init__(self, queue: Any) -> None:
        self._queue = queue

    def __getattr__(self, name: str) -> Any:
        return None if name in _MESSAGE_COUNTS.values() else getattr(self._queue, name)


def _count_queue_messages_only_when_read() -> None:
    from moto.sqs import models

    build = vars(models.Queue)["attributes"].fget

    def attributes(self: Any) -> _QueueAttributes:
        others = {name: value for name, value in build(_WithoutCounts(self)).items() if name not in _MESSAGE_COUNTS}
        return _QueueAttributes(self, others)

    models.Queue.attributes = property(attributes)  # type: ignore[assignment]

    moto_unix_time_millis = vars(models)["unix_time_millis"]

    def unix_time_millis(moment: Any = None) -> float:
        return time.time() * 1000.0 if moment is None else float(moto_unix_time_millis(moment))

    setattr(models, "unix_time_millis", unix_time_millis)  # noqa: B010 - a name moto does not export


def _wire_value(value: Any) -> float | str:
    """What moto's JSON serializer writes for the values JSON itself cannot hold."""
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return round(stamp.timestamp(), 3)
    if isinstance(value, bytes):  # a binary attribute (B, BS): base64 on the wire
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _stream_records_written_as_they_are() -> None:
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    def get_records(self: Any) -> str:
        limit = self._get_param("Limit")
        answer = self.backend.get_records(self._get_param("ShardIterator"), 1000 if limit is None else limit)
        return json.dumps(answer, default=_wire_value)

    DynamoDBStreamsHandler.get_records = get_records  # type: ignore[method-assign,assignment]


# The item operations: their answers hold items, keys, counts and consumed capacity, all of them
# members of the operation's output shape, in DynamoDB's wire shape already (no timestamps).
_ITEM_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)


def _item_answers_written_as_they_are() -> None:
    from moto.dynamodb.responses import DynamoHandler

    serialized = DynamoHandler.serialized

    def without_nones(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: without_nones(inner) for key, inner in value.items() if inner is not None}
        if isinstance(value, list):
            return [without_nones(inner) for inner in value]
        return value

    def written(self: Any, action_result: Any) -> Any:
        answer = action_result.result
        if not isinstance(answer, dict) or self._get_action() not in _ITEM_OPERATIONS:
            return serialized(self, action_result)  # errors and the table operations: moto's way
        headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
        return 200, headers, json.dumps(without_nones(answer), default=_wire_value)

    DynamoHandler.serialized = written  # type: ignore[method-assign]


def _query_reads_its_partition_only() -> None:
    from moto.dynamodb.models.table import Table

    table_query = Table.query
    every_item = Table.all_items
    asked = threading.local()  # the query in progress on this emulator thread

    def in_key_order(items: list[Any]) -> list[Any]:
        return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)

    def items_of(table: Any) -> Any:
        for partition in table.items.values():
            if table.range_key_attr:
                yield from partition.values()
            else:
                yield partition

    def all_items(self: Any) -> list[Any]:
        query = getattr(asked, "query", None)
        if query is None or query[0] is not self:
            return every_item(self)
        _, index_name, hash_key, index_hash_conditions = query
        if index_name is None:
            partition = self.items.get(hash_key)
            if partition is None:
                return []
            return in_key_order(list(partition.values()) if self.range_key_attr else [partition])
        return in_key_order(
            [
                item
                for item in items_of(self)
                if all(item.attrs.get(name) and item.attrs.get(name) == value for name, value in index_hash_conditions)
            ]
        )

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        conditions = kwargs.get("hash_key_conditions") or []
        if index_name is not None and not conditions:
            return table_query(self, hash_key, *args, **kwargs)  # nothing to narrow by: moto's way
        asked.query = (self, index_name, hash_key, conditions)
        try:
            return table_query(self, hash_key, *args, **kwargs)
        finally:
            asked.query = None

    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
