"""Query and path parameter types that every service's routes share: one definition each."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=2048, description="The next_cursor of the previous page.")]
Id = Annotated[str, Path(min_length=1, max_length=64)]
