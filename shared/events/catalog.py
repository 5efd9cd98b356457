"""Every event type Siyu publishes or consumes: its source, detail-type, version and model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from shared.events import campaigns, cases, contacts, partner, points
from shared.events.envelope import Envelope


@dataclass(frozen=True)
class Contract:
    source: str
    detail_type: str
    version: int
    data: type[BaseModel]
    any_partner: bool = False  # source is "partner": the event comes from any "partner.<name>"

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


def _contracts(source: str, models: Mapping[str, type[BaseModel]]) -> list[Contract]:
    return [Contract(source, name, 1, model) for name, model in models.items()]


CONTRACTS: tuple[Contract, ...] = (
    *_contracts("siyu.contacts", contacts.EVENTS),
    *_contracts("siyu.campaigns", campaigns.EVENTS),
    *_contracts("siyu.points", points.EVENTS),
    *_contracts("siyu.cases", cases.EVENTS),
    *(Contract("partner", name, 1, model, any_partner=True) for name, model in partner.EVENTS.items()),
)

BY_TYPE: dict[tuple[str, str], Contract] = {(c.source, c.detail_type): c for c in CONTRACTS}


def find(source: str, detail_type: str) -> Contract | None:
    """The contract an event on the bus claims to follow (partner contracts accept any partner)."""
    exact = BY_TYPE.get((source, detail_type))
    if exact is not None and not exact.any_partner:
        return exact
    partner_contract = BY_TYPE.get((source.split(".", 1)[0], detail_type))
    return partner_contract if partner_contract is not None and partner_contract.accepts(source) else None


def contract(source: str, detail_type: str) -> Contract:
    found = find(source, detail_type)
    if found is None:
        raise KeyError(f"no contract for {source} {detail_type}")
    return found


def contract_for(detail_type: str) -> Contract:
    matches = [c for c in CONTRACTS if c.detail_type == detail_type]
    if len(matches) != 1:
        raise KeyError(f"no single contract for {detail_type}")
    return matches[0]
