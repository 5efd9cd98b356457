"""Every event type Siyu publishes or consumes: its source, detail-type, version and model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from shared.events import campaigns, contacts, points
from shared.events.envelope import Envelope


@dataclass(frozen=True)
class Contract:
    source: str
    detail_type: str
    version: int
    data: type[BaseModel]

    @property
    def envelope(self) -> type[Envelope[Any]]:
        return Envelope[self.data]  # type: ignore[name-defined]

    def json_schema(self) -> dict[str, Any]:
        schema = self.envelope.model_json_schema()
        schema["title"] = self.detail_type
        schema["$id"] = f"https://siyu.dev/schemas/{self.source}/{self.detail_type}/v{self.version}.json"
        schema["x-source"] = self.source
        schema["x-detail-type"] = self.detail_type
        return schema


def _contracts(source: str, models: Mapping[str, type[BaseModel]]) -> list[Contract]:
    return [Contract(source, name, 1, model) for name, model in models.items()]


CONTRACTS: tuple[Contract, ...] = (
    *_contracts("siyu.contacts", contacts.EVENTS),
    *_contracts("siyu.campaigns", campaigns.EVENTS),
    *_contracts("siyu.points", points.EVENTS),
)

BY_TYPE: dict[tuple[str, str], Contract] = {(c.source, c.detail_type): c for c in CONTRACTS}


def contract(source: str, detail_type: str) -> Contract:
    try:
        return BY_TYPE[(source, detail_type)]
    except KeyError:
        raise KeyError(f"no contract for {source} {detail_type}") from None


def contract_for(detail_type: str) -> Contract:
    matches = [c for c in CONTRACTS if c.detail_type == detail_type]
    if len(matches) != 1:
        raise KeyError(f"no single contract for {detail_type}")
    return matches[0]
