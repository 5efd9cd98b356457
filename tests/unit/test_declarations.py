"""Declarations that cannot lie: what a service's ``service.py`` declares is what its code and the
local stack's resources do. (The deployed side is checked on the template in tests/infra.)"""

from __future__ import annotations

from typing import Any

import pytest

from local.stack import LocalStack
from services.registry import SERVICES
from shared import aws
from shared.events.catalog import find
from shared.manifest import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, Consumer, Service, resolve_handler

CONSUMERS = [(service, consumer) for service in SERVICES for consumer in service.consumers]
HANDLERS = [
    (service.name, dotted)
    for service in SERVICES
    for dotted in (service.api_handler, service.publisher_handler, *(s.handler for s in service.schedules))
    if dotted is not None
]
TABLES = [service for service in SERVICES if service.table is not None]


@pytest.mark.parametrize(("service", "consumer"), CONSUMERS, ids=[c.name for _, c in CONSUMERS])
def test_each_consumer_handler_is_the_consumer_declared(service: Service, consumer: Consumer) -> None:
    """The handler's name keys its processed markers and its dead-letter queue: a handler named
    differently from its declaration would mark events under, and dead-letter to, the wrong name."""
    handler = resolve_handler(consumer.handler)
    assert callable(handler)
    assert getattr(handler, "name", None) == consumer.name, f"{consumer.handler} is named {handler.name!r}"


@pytest.mark.parametrize(("service", "dotted"), HANDLERS, ids=[f"{s}:{h}" for s, h in HANDLERS])
def test_each_declared_function_handler_resolves(service: str, dotted: str) -> None:
    assert callable(resolve_handler(dotted))


def test_consumer_names_are_unique() -> None:
    """Each name is a queue, a dead-letter queue and a settings key: two consumers cannot share one."""
    names = [consumer.name for _, consumer in CONSUMERS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("service", SERVICES, ids=[s.name for s in SERVICES])
def test_every_published_detail_type_has_a_contract(service: Service) -> None:
    missing = [detail_type for detail_type in service.publishes if find(service.source, detail_type) is None]
    assert not missing, f"{service.name} publishes without a contract in shared.events: {missing}"


def _key_schema(schema: list[dict[str, Any]]) -> tuple[str, str]:
    kinds = {entry["KeyType"]: entry["AttributeName"] for entry in schema}
    return kinds["HASH"], kinds["RANGE"]


@pytest.mark.parametrize("service", TABLES, ids=[s.name for s in TABLES])
def test_provisioned_tables_are_the_declared_tables(stack: LocalStack, service: Service) -> None:
    assert service.table is not None
    assert stack.resources is not None
    dynamodb = aws.client("dynamodb")
    name = stack.resources.tables[service.name]
    table = dynamodb.describe_table(TableName=name)["Table"]
    assert _key_schema(table["KeySchema"]) == (PARTITION_KEY, SORT_KEY)
    indexes = {index["IndexName"]: _key_schema(index["KeySchema"]) for index in table.get("GlobalSecondaryIndexes", [])}
    assert indexes == {index.name: (index.partition_key, index.sort_key) for index in service.table.indexes}
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert (ttl.get("TimeToLiveStatus"), ttl.get("AttributeName")) == ("ENABLED", TTL_ATTRIBUTE)
