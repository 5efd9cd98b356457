"""DynamoDB helpers for the DALs: item (de)serialisation, transactions whose failed conditions
become domain errors, and opaque pagination cursors bound to the query that issued them."""

from __future__ import annotations

import base64
import binascii
import json
import random
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from shared import aws
from shared.errors import BadRequest, ConcurrentUpdate, DomainError

MAX_TRANSACTION_ITEMS = 100


# boto3 is imported with the first item (de)serialised, like the client itself (shared.aws): a
# module that only declares DAL functions costs nothing of boto3 at import.
@cache
def _serializer() -> Any:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


@cache
def _deserializer() -> Any:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    serializer = _serializer()
    return {key: serializer.serialize(value) for key, value in item.items() if value is not None}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    deserializer = _deserializer()
    return {key: _plain(deserializer.deserialize(value)) for key, value in item.items()}


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the project only stores integers."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return {_plain(v) for v in value}
    return value


def client() -> Any:
    return aws.client("dynamodb")


def get_item(table: str, key: Mapping[str, Any], *, consistent: bool = True) -> dict[str, Any] | None:
    answer = client().get_item(TableName=table, Key=serialize(key), ConsistentRead=consistent)
    return deserialize(answer["Item"]) if "Item" in answer else None


class Filter(NamedTuple):
    """A query's FilterExpression: items it drops still count towards the page's read."""

    expression: str
    names: Mapping[str, str]
    values: Mapping[str, Any]


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def query_page(
    table: str,
    *,
    partition_attr: str,
    partition_value: str,
    limit: int,
    cursor: str | None,
    index: str | None = None,
    sort_prefix: tuple[str, str] | None = None,
    sort_range: tuple[str, str, str] | None = None,
    newest_first: bool = False,
    filter: Filter | None = None,
    attributes: Iterable[str] = (),
) -> Page:
    """One page of a partition, with a cursor that only this partition accepts back; only
    ``attributes`` of each item when given (an index page of ids need not carry whole items).
    ``sort_range`` = (attribute, low, high): sort keys from low to high, both included (a key
    that extends ``high``, such as ``high#…``, sorts after it: excluded)."""
    names = {"#p": partition_attr}
    values: dict[str, Any] = {":p": partition_value}
    condition = "#p = :p"
    if sort_prefix is not None:
        names["#s"] = sort_prefix[0]
        values[":s"] = sort_prefix[1]
        condition += " AND begins_with(#s, :s)"
    elif sort_range is not None:
        names["#s"] = sort_range[0]
        values[":lo"], values[":hi"] = sort_range[1], sort_range[2]
        condition += " AND #s BETWEEN :lo AND :hi"
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": serialize(values),
        "Limit": limit,
        "ScanIndexForward": not newest_first,
    }
    if filter is not None:
        request["FilterExpression"] = filter.expression
        names |= filter.names
        request["ExpressionAttributeValues"] = serialize({**values, **filter.values})
    if index:
        request["IndexName"] = index
    projected = {f"#a{number}": name for number, name in enumerate(attributes)}
    if projected:
        request["ProjectionExpression"] = ", ".join(projected)
        names |= projected
    if cursor:
        request["ExclusiveStartKey"] = decode_cursor(cursor, partition_attr, partition_value)
    answer = client().query(**request)
    last = answer.get("LastEvaluatedKey")
    return Page(
        items=[deserialize(item) for item in answer.get("Items", [])],
        next_cursor=encode_cursor(last) if last else None,
    )


def query_pages(request: Mapping[str, Any], most: int | None = None) -> Iterator[dict[str, Any]]:
    """Every item a query finds (or the first ``most``), page after page, deserialised."""
    found = 0
    pending: dict[str, Any] = dict(request)
    while most is None or found < most:
        limit = {} if most is None else {"Limit": most - found}
        answer = client().query(**pending, **limit)
        for item in answer.get("Items", []):
            found += 1
            yield deserialize(item)
        if "LastEvaluatedKey" not in answer:
            return
        pending["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def consistent_values(table: str, pk: str, sk_prefix: str, attribute: str) -> list[Any]:
    """``attribute`` of every item of partition ``pk`` whose sort key starts with ``sk_prefix``,
    read strongly consistent: what was committed before the call is found (an index is not)."""
    request = {
        "TableName": table,
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": serialize({":p": pk, ":s": sk_prefix}),
        "ProjectionExpression": "#a",
        "ExpressionAttributeNames": {"#a": attribute},
        "ConsistentRead": True,
    }
    return [item[attribute] for item in query_pages(request)]


def partition_items(
    table: str, pk: str, sk_prefix: str | None = None, *, filter: Filter | None = None, consistent: bool = False
) -> Iterator[dict[str, Any]]:
    """Every item of partition ``pk`` (whose sort key starts with ``sk_prefix``, when given, and
    that ``filter`` keeps), page after page: for the small partitions a decision reads whole (a
    contact's enrollments, the journeys a trigger starts). ``consistent``: whatever was committed
    before the call is found."""
    condition = "pk = :p" + (" AND begins_with(sk, :s)" if sk_prefix else "")
    values: dict[str, Any] = {":p": pk, **({":s": sk_prefix} if sk_prefix else {})}
    request: dict[str, Any] = {"TableName": table, "KeyConditionExpression": condition, "ConsistentRead": consistent}
    if filter is not None:
        request["FilterExpression"] = filter.expression
        if filter.names:
            request["ExpressionAttributeNames"] = dict(filter.names)
        values |= dict(filter.values)
    request["ExpressionAttributeValues"] = serialize(values)
    return query_pages(request)


BATCH_GET_KEYS = 100  # DynamoDB's limit per BatchGetItem


def batch_get(table: str, keys: Iterable[Mapping[str, Any]], *, consistent: bool = True) -> Iterator[dict[str, Any]]:
    """Every stored item among ``keys`` (in no particular order), deserialised: batches of 100,
    the unprocessed keys asked again."""
    pending = [serialize(key) for key in keys]
    for start in range(0, len(pending), BATCH_GET_KEYS):
        request: dict[str, Any] = {
            table: {"Keys": pending[start : start + BATCH_GET_KEYS], "ConsistentRead": consistent}
        }
        while request:
            answer = client().batch_get_item(RequestItems=request)
            for raw in answer.get("Responses", {}).get(table, []):
                yield deserialize(raw)
            request = answer.get("UnprocessedKeys") or {}


def shard_of(key: str, shards: int) -> int:
    """A stable shard number for a key (the same in every process), spreading a sweep's index."""
    return zlib.crc32(key.encode()) % shards


def due_by(
    table: str, index: str, partition: str, until: str, attributes: Iterable[str] | None, most: int | None = None
) -> Iterator[dict[str, Any]]:
    """``attributes`` (None: the whole item, as the index projects it) of the items of a sweep's
    due index partition that are due by ``until``, earliest first. A due index is sparse: an item
    carries ``{index}pk`` (a shard of the sweep's partitions) and ``{index}sk = {due time}#...``
    only while it has work due, so a sweep reads what is due and nothing else."""
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": f"{index}pk = :p AND {index}sk <= :until",
        "ExpressionAttributeValues": serialize({":p": partition, ":until": f"{until}#~"}),
    }
    if attributes is not None:
        names = {f"#a{number}": name for number, name in enumerate(attributes)}
        request.update(ProjectionExpression=", ".join(names), ExpressionAttributeNames=names)
    return query_pages(request, most)


def encode_cursor(last_evaluated_key: Mapping[str, Any]) -> str:
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, partition_attr: str, partition_value: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(key, dict) or key.get(partition_attr) != {"S": partition_value}:
            raise ValueError("cursor belongs to another listing")
        return key
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("The cursor is not valid for this listing.") from None


@dataclass
class Transaction:
    """Writes that succeed or fail together. Each write may name the domain error its failed
    condition means; a lost race with another transaction is retried a few times."""

    table: str
    _writes: list[dict[str, Any]] = field(default_factory=list)
    _errors: list[DomainError | None] = field(default_factory=list)
    failed: list[DomainError] = field(default_factory=list)  # every failed condition of the last commit

    def __len__(self) -> int:
        return len(self._writes)

    def _add(self, kind: str, body: dict[str, Any], on_fail: DomainError | None) -> Transaction:
        body["TableName"] = body.get("TableName", self.table)
        self._writes.append({kind: body})
        self._errors.append(on_fail)
        return self

    @staticmethod
    def _condition(
        body: dict[str, Any],
        condition: str | None,
        names: Mapping[str, str] | None,
        values: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        if condition:
            body["ConditionExpression"] = condition
        if names:
            body["ExpressionAttributeNames"] = dict(names)
        if values:
            body["ExpressionAttributeValues"] = serialize(values)
        return body

    def put(
        self,
        item: Mapping[str, Any],
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        on_fail: DomainError | None = None,
        table: str | None = None,
    ) -> Transaction:
        body = self._condition({"Item": serialize(item)}, condition, names, values)
        if table:
            body["TableName"] = table
        return self._add("Put", body, on_fail)

    def create(self, item: Mapping[str, Any], *, on_fail: DomainError | None = None) -> Transaction:
        """Put an item that must not exist yet: the data layer's uniqueness guarantee."""
        return self.put(item, condition="attribute_not_exists(pk)", on_fail=on_fail)

    def update(
        self,
        key: Mapping[str, Any],
        expression: str,
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        on_fail: DomainError | None = None,
    ) -> Transaction:
        body = self._condition({"Key": serialize(key), "UpdateExpression": expression}, condition, names, values)
        return self._add("Update", body, on_fail)

    def delete(
        self,
        key: Mapping[str, Any],
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        on_fail: DomainError | None = None,
    ) -> Transaction:
        return self._add("Delete", self._condition({"Key": serialize(key)}, condition, names, values), on_fail)

    def check(
        self,
        key: Mapping[str, Any],
        condition: str,
        *,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        on_fail: DomainError | None = None,
    ) -> Transaction:
        return self._add("ConditionCheck", self._condition({"Key": serialize(key)}, condition, names, values), on_fail)

    def commit(self, *, attempts: int = 4) -> None:
        if not self._writes:
            return
        if len(self._writes) > MAX_TRANSACTION_ITEMS:
            raise BadRequest(f"Too many changes in one request (at most {MAX_TRANSACTION_ITEMS}).")
        from botocore.exceptions import ClientError

        for attempt in range(attempts):
            try:
                client().transact_write_items(TransactItems=self._writes)
                return
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons: list[dict[str, Any]] = list(error.response.get("CancellationReasons") or [])  # type: ignore[arg-type]
                failed = self._first_failed_condition(reasons)
                if failed is not None:
                    raise failed from None
                if attempt + 1 == attempts:
                    raise ConcurrentUpdate("The record changed while it was being written; try again.") from None
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))  # noqa: S311 - jitter, not security

    def _first_failed_condition(self, reasons: list[dict[str, Any]]) -> DomainError | None:
        self.failed = [
            self._errors[index] or ConcurrentUpdate("The record changed while it was being written; try again.")
            for index, reason in enumerate(reasons)
            if reason.get("Code") == "ConditionalCheckFailed"
        ]
        return self.failed[0] if self.failed else None


Prepare = Callable[[Transaction], None]
"""A caller's addition to a transaction it does not build itself: an idempotency key's record, an
event's processed marker, a source claim. The one name for such hooks."""
