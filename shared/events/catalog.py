"""Every event type Siyu publishes or consumes: its source, detail-type, version and model.

A source's models are imported the first time one of its events is looked up, so a function
that handles one service's events does not build every other service's models at cold start.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from pydantic import BaseModel

from shared.events.envelope import Envelope

PARTNER = "partner"  # partner events come from any "partner.<name>"
# Source → the module whose ``EVENTS`` are that source's contracts.
MODULES: dict[str, str] = {
    "siyu.contacts": "shared.events.contacts",
    "siyu.campaigns": "shared.events.campaigns",
    "siyu.points": "shared.events.points",
    "siyu.cases": "shared.events.cases",
    "siyu.wecom": "shared.events.wecom",
    "siyu.outreach": "shared.events.outreach",
    PARTNER: "shared.events.partner",
}


class Contract:
    # A plain class, not a frozen dataclass: building one costs about half a millisecond of every
    # consumer's cold start. Contracts are made once per source (``contracts_of``) and never changed.
    __slots__ = ("any_partner", "data", "detail_type", "source", "version")

    def __init__(
        self, source: str, detail_type: str, version: int, data: type[BaseModel], any_partner: bool = False
    ) -> None:
        self.source = source
        self.detail_type = detail_type
        self.version = version
        self.data = data
        self.any_partner = any_partner  # source is "partner": the event comes from any "partner.<name>"

    def __repr__(self) -> str:
        return f"Contract({self.source!r}, {self.detail_type!r}, v{self.version})"

    def accepts(self, source: str) -> bool:
        if self.any_partner:
            return source.startswith(f"{self.source}.") and len(source) > len(self.source) + 1
        return source == self.source

    @property
    def example_source(self) -> str:
        return f"{self.source}.example-shop" if self.any_partner else self.source

    @property
    def envelope(self) -> type[Envelope[Any]]:
        return Envelope[self.data]  # type: ignore[name-defined]

    def json_schema(self) -> dict[str, Any]:
        schema = self.envelope.model_json_schema()
        schema["title"] = self.detail_type
        schema["$id"] = f"https://siyu.dev/schemas/{self.source}/{self.detail_type}/v{self.version}.json"
        schema["x-source"] = f"{self.source}.<name>" if self.any_partner else self.source
        schema["x-detail-type"] = self.detail_type
        return schema


@cache
def contracts_of(source: str) -> dict[str, Contract]:
    """Detail-type → contract, for one source of ``MODULES``."""
    models: dict[str, type[BaseModel]] = importlib.import_module(MODULES[source]).EVENTS
    return {name: Contract(source, name, 1, model, any_partner=source == PARTNER) for name, model in models.items()}


def all_contracts() -> tuple[Contract, ...]:
    return tuple(c for source in MODULES for c in contracts_of(source).values())


def __getattr__(name: str) -> Any:
    # ``CONTRACTS`` (every contract) is for tools and tests; building it imports every source.
    if name == "CONTRACTS":
        return all_contracts()
    raise AttributeError(name)


def find(source: str, detail_type: str) -> Contract | None:
    """The contract an event on the bus claims to follow (partner contracts accept any partner)."""
    if source in MODULES and source != PARTNER:
        return contracts_of(source).get(detail_type)
    if source.split(".", 1)[0] != PARTNER:
        return None
    partner_contract = contracts_of(PARTNER).get(detail_type)
    return partner_contract if partner_contract is not None and partner_contract.accepts(source) else None


def contract(source: str, detail_type: str) -> Contract:
    found = find(source, detail_type)
    if found is None:
        raise KeyError(f"no contract for {source} {detail_type}")
    return found


def contract_of(model: type[BaseModel]) -> Contract:
    """The contract of an event model: its source is the module that defines it."""
    source = next((source for source, module in MODULES.items() if module == model.__module__), None)
    found = contracts_of(source).get(model.__name__) if source is not None else None
    if found is None or found.data is not model:
        raise KeyError(f"{model.__module__}.{model.__name__} is not an event contract")
    return found


def contract_for(detail_type: str) -> Contract:
    matches = [c for c in all_contracts() if c.detail_type == detail_type]
    if len(matches) != 1:
        raise KeyError(f"no single contract for {detail_type}")
    return matches[0]
