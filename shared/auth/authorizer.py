"""API Gateway Lambda authorizer (HTTP API, simple responses) for every non-public route.

It never answers "not authorized": API Gateway would turn that into a bare 403, while the contract
wants a problem+json 401. A missing or invalid token instead yields an anonymous context, and the
function's HTTP layer refuses it with 401 before any handler runs. No principal is ever granted
without a verified token.
"""

from __future__ import annotations

from typing import Any

from shared.auth.jwt import InvalidToken, preload
from shared.auth.principal import to_context
from shared.auth.tokens import read_token
from shared.observability import lambda_entry, logger

preload()
ANONYMOUS: dict[str, Any] = {"isAuthorized": True, "context": {"kind": "anonymous"}}


def bearer_token(headers: dict[str, str] | None) -> str | None:
    for name, value in (headers or {}).items():
        if name.lower() == "authorization":
            scheme, _, token = value.partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


@lambda_entry
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    token = bearer_token(event.get("headers"))
    if token is None:
        return ANONYMOUS
    try:
        principal = read_token(token)
    except InvalidToken as error:
        logger.info("token refused", extra={"reason": str(error)})
        return ANONYMOUS
    return {"isAuthorized": True, "context": to_context(principal)}
