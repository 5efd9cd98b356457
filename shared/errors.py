"""Domain errors. Logic raises these; the HTTP layer maps each to one problem+json answer."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    type_slug: ClassVar[str] = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class BadRequest(DomainError):
    pass


class Unauthorized(DomainError):
    status, title, type_slug = 401, "Unauthorized", "unauthorized"


class Forbidden(DomainError):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class NotFound(DomainError):
    status, title, type_slug = 404, "Not found", "not-found"


class Conflict(DomainError):
    status, title, type_slug = 409, "Conflict", "conflict"


class PayloadTooLarge(DomainError):
    status, title, type_slug = 413, "Payload too large", "payload-too-large"


class Unprocessable(DomainError):
    status, title, type_slug = 422, "Unprocessable content", "validation-error"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None) -> None:
        # Clients read each location as a path of strings (["body", "rule", "and", "0"]), as the
        # problem schema documents, whichever rule walker built it.
        located = [{**error, "loc": [str(part) for part in error.get("loc", [])]} for error in errors or []]
        super().__init__(detail, errors=located)


class ConcurrentUpdate(Conflict):
    """A conditional write lost a race; the caller may retry with fresh state."""


class UpstreamUnavailable(DomainError):
    status, title, type_slug = 503, "Upstream unavailable", "upstream-unavailable"
