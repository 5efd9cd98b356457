"""The cases API's resolver and the parameter types its routes share."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from services.cases.service import SERVICE
from shared.http import ServiceApi

api = ServiceApi(SERVICE)
api.add_health_route()

Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=2048)]
Id = Annotated[str, Path(min_length=1, max_length=64)]
