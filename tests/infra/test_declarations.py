"""The deployed tables are the declared tables: keys, indexes and expiry (the local side is checked
in tests/unit/test_declarations.py)."""

from __future__ import annotations

from typing import Any

from services.registry import SERVICES
from shared.manifest import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from tests.infra.conftest import resources


def _keys(schema: list[dict[str, Any]]) -> tuple[str, str]:
    kinds = {entry["KeyType"]: entry["AttributeName"] for entry in schema}
    return kinds["HASH"], kinds["RANGE"]


def _tables(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Service name → its table's properties (the table is ``<Service>Table…`` in the template)."""
    found: dict[str, dict[str, Any]] = {}
    for logical_id, table in resources(template, "AWS::DynamoDB::Table"):
        service = next(s.name for s in SERVICES if logical_id.lower().startswith(f"{s.name}table"))
        found[service] = table["Properties"]
    return found


def test_each_deployed_table_has_the_declared_keys_indexes_and_expiry(template: dict[str, Any]) -> None:
    tables = _tables(template)
    declared = {service.name: service.table for service in SERVICES if service.table is not None}
    assert set(tables) == set(declared)
    for name, spec in declared.items():
        properties = tables[name]
        assert _keys(properties["KeySchema"]) == (PARTITION_KEY, SORT_KEY), name
        indexes = {i["IndexName"]: _keys(i["KeySchema"]) for i in properties.get("GlobalSecondaryIndexes", [])}
        assert indexes == {i.name: (i.partition_key, i.sort_key) for i in spec.indexes}, name
        assert properties["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}, name
