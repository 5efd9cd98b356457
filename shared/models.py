"""The base of every pydantic model in the services: its validator and schema are built when the
model is first used, not on import, so a function pays at cold start only for the models its own
requests and events touch."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)


class StrictModel(Model):
    """What a client sends: an unknown field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")
