"""Where a handler's parameters come from, and the query and path types that every service's
routes share (one definition each).

``Query`` and ``Path`` mark a parameter's source and carry the keyword arguments of
``pydantic.Field`` its value must meet (``ge``, ``max_length``, ``pattern``, ``description``…);
``shared.http`` validates with them and describes them in the OpenAPI document. A parameter with
no marker is a path value if the route's path names it, the body if it is a pydantic model, and
a query value otherwise. ``errors`` are the statuses a value can bring beyond 422 (a cursor of
another listing: 400), so that every route taking it documents them.

Path and query values are strings by nature and are converted as such (``limit=5``); bodies are
validated strictly (see ``shared.http``).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal


class Param:
    where: ClassVar[Literal["query", "path"]]

    def __init__(self, *, alias: str | None = None, errors: tuple[int, ...] = (), **constraints: Any) -> None:
        self.alias = alias  # the name in the request, when it is not a Python identifier
        self.errors = errors
        self.constraints = constraints

    def __repr__(self) -> str:
        return f"{type(self).__name__}(alias={self.alias!r}, {self.constraints!r})"


class Query(Param):
    where = "query"


class Path(Param):
    where = "path"


Limit = Annotated[int, Query(ge=1, le=200, description="Page size.")]
# A report's window: the dashboard's daily figures (contacts, campaigns, points).
Days = Annotated[int, Query(ge=1, le=90, description="How many business days, today included.")]
Cursor = Annotated[
    str | None, Query(max_length=2048, errors=(400,), description="The next_cursor of the previous page.")
]
Id = Annotated[str, Path(min_length=1, max_length=64)]
