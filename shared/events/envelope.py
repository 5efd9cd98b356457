"""The envelope every Siyu event travels in: ``detail = {"metadata": {...}, "data": {...}}``.

Every event model defers building its validator to its first use (``defer_build``): importing a
service's contracts (its manifest lists what it publishes) builds none of them, and a function
builds only the events it publishes or consumes. A consumer builds its own on construction (see
``shared.consumer``).
"""

from typing import Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

DataT = TypeVar("DataT", bound=BaseModel)


class EventData(BaseModel):
    """Base of every event's ``data``: unknown fields are refused so that drift is noticed."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class EventMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    event_id: str = Field(min_length=1, description="Unique per event: the consumers' idempotency key.")
    event_version: int = Field(ge=1)
    tenant_id: str = Field(min_length=1)
    occurred_at: AwareDatetime
    correlation_id: str = Field(min_length=1, description="The originating request's id.")
    causation_id: str | None = Field(default=None, description="The event that caused this one.")


class Envelope(BaseModel, Generic[DataT]):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    metadata: EventMetadata
    data: DataT
