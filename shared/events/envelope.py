"""The envelope every Siyu event travels in: ``detail = {"metadata": {...}, "data": {...}}``.

Every event model defers building its validator to its first use (``defer_build``): importing a
service's contracts (its manifest lists what it publishes) builds none of them, and a function
builds only the events it publishes or consumes. A consumer builds its own on construction (see
``shared.consumer``).

Every field of every contract is bounded (tests/unit/test_contracts.py walks the schemas): an
event carries what its producer's own rules allow and no more, so an event from outside those rules
(a forged, replayed or corrupted one, 10**30 points) is refused as it arrives and dead-lettered with
its reason, rather than credited or turned into a number DynamoDB cannot store. Integers and
booleans are strict: ``true`` or ``"5"`` is not a number of points.
"""

from typing import Annotated, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

DataT = TypeVar("DataT", bound=BaseModel)

# ---- numbers ------------------------------------------------------------------------------------
# Points one campaign conversion awards: campaigns' own API caps a campaign's reward at this.
MAX_CAMPAIGN_POINTS = 1_000_000
# One ledger entry: the largest order a partner may report (MAX_FEN, 10^8 yuan) at the highest
# earning rate a policy allows (1,000 points a yuan) earns 10^11; an adjustment is at most 10^7.
MAX_ENTRY_POINTS = 1_000_000_000_000
# Sums (balances, lifetime earnings): far above any entry's bound, and below 2^53, so that the
# console (JavaScript numbers) reads every value exactly.
MAX_TOTAL_POINTS = 1_000_000_000_000_000
MAX_FEN = 10_000_000_000  # one order or refund, in fen (1 yuan = 100 fen): 10^8 yuan
MAX_COUNT = 1_000_000_000  # versions, resolutions, counters that grow one by one

Flag = StrictBool
Version = Annotated[StrictInt, Field(ge=1, le=MAX_COUNT)]
Count = Annotated[StrictInt, Field(ge=1, le=MAX_COUNT)]
CampaignPoints = Annotated[StrictInt, Field(ge=0, le=MAX_CAMPAIGN_POINTS)]
EntryPoints = Annotated[StrictInt, Field(ge=0, le=MAX_ENTRY_POINTS)]
PositiveEntryPoints = Annotated[StrictInt, Field(ge=1, le=MAX_ENTRY_POINTS)]
SignedEntryPoints = Annotated[StrictInt, Field(ge=-MAX_ENTRY_POINTS, le=MAX_ENTRY_POINTS)]
TotalPoints = Annotated[StrictInt, Field(ge=0, le=MAX_TOTAL_POINTS)]
Balance = Annotated[StrictInt, Field(ge=-MAX_TOTAL_POINTS, le=MAX_TOTAL_POINTS)]
Fen = Annotated[StrictInt, Field(gt=0, le=MAX_FEN)]

# ---- strings ------------------------------------------------------------------------------------
Id = Annotated[str, StringConstraints(min_length=1, max_length=128)]  # Siyu's ids, staff ids, partner ids
Key = Annotated[str, StringConstraints(min_length=1, max_length=512)]  # ids made of ids: "conversion:<id>"
Label = Annotated[str, StringConstraints(max_length=128)]  # a brand, tag, channel, tier, field name, kind
Moment = Annotated[str, StringConstraints(min_length=1, max_length=64)]  # an RFC 3339 time written as text
Reason = Annotated[str, StringConstraints(max_length=1000)]  # a person's or the system's why
MAX_ITEMS = 1000  # any list or map in an event


class EventData(BaseModel):
    """Base of every event's ``data``: unknown fields are refused so that drift is noticed."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class EventMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    event_id: Id = Field(description="Unique per event: the consumers' idempotency key.")
    event_version: Annotated[StrictInt, Field(ge=1, le=1000)]
    tenant_id: Id
    occurred_at: AwareDatetime
    correlation_id: Annotated[str, StringConstraints(min_length=1, max_length=256)] = Field(
        description="The originating request's id."
    )
    causation_id: Id | None = Field(default=None, description="The event that caused this one.")


class Envelope(BaseModel, Generic[DataT]):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    metadata: EventMetadata
    data: DataT
