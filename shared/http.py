"""The HTTP layer every service's API function is built on.

``ServiceApi`` wraps Powertools' HTTP API resolver: routes are registered only if the service
declared them, the caller's principal is checked against the route's declared access and roles
before anything else runs, oversized bodies are refused, and every error leaves as
``application/problem+json`` (RFC 9457).
"""

from __future__ import annotations

import base64
import functools
import inspect
import json
import re
import typing
from collections.abc import Callable
from re import Match
from typing import Any, TypeVar
from urllib.parse import quote, unquote

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel

from shared.auth.principal import MemberPrincipal, StaffPrincipal, authorize, from_context
from shared.errors import DomainError, Forbidden, PayloadTooLarge, Unprocessable
from shared.manifest import Route, Service
from shared.observability import correlated, lambda_entry, logger
from shared.settings import get_settings

PROBLEM_JSON = "application/problem+json"
IDEMPOTENCY_KEY_MAX = 128
F = TypeVar("F", bound=Callable[..., Any])


def problem(status: int, title: str, detail: str, type_slug: str, **extra: Any) -> Response[str]:
    body = {
        "type": f"https://siyu.dev/problems/{type_slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return Response(status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body, ensure_ascii=False))


def json_response(model: BaseModel, status: int = 200) -> Response[str]:
    return Response(status_code=status, content_type="application/json", body=model.model_dump_json())


def _validation_errors(error: RequestValidationError) -> tuple[bool, list[dict[str, Any]]]:
    malformed = False
    errors = []
    for item in error.errors():
        if item.get("type") == "json_invalid":
            malformed = True
        errors.append({"loc": [str(part) for part in item.get("loc", ())], "msg": str(item.get("msg", ""))})
    return malformed, errors


class _DecodingResolver(APIGatewayHttpResolver):
    """Matches routes on the percent-encoded path and hands each path value to the handler decoded
    once: an encoded "/" or "%" inside a value cannot move the request to another route."""

    def _convert_matches_into_route_keys(self, match: Match[str]) -> dict[str, str]:
        return {name: unquote(value) for name, value in match.groupdict().items()}


def _encoded_path(event: dict[str, Any], route: Route | None) -> str | None:
    """The request path rebuilt from the route the gateway matched and the values it extracted.

    API Gateway's HTTP API is reported to hand over ``rawPath`` already decoded (a value with "/"
    or "?" in it would then no longer match its route) and the local gateway the path as sent;
    ``pathParameters`` are the values decoded once by either. Re-encoding those values gives the
    resolver one unambiguous path whichever gateway sent the event."""
    values = event.get("pathParameters") or {}
    names = re.findall(r"\{(\w+)\}", route.path) if route is not None else []
    if route is None or not names or any(name not in values for name in names):
        return None
    return re.sub(r"\{(\w+)\}", lambda found: quote(str(values[found.group(1)]), safe=""), route.path)


class ServiceApi:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.routes: dict[str, Route] = {route.key: route for route in service.routes}
        self.registered: set[str] = set()
        self.resolver = _DecodingResolver(enable_validation=True)
        self.resolver.exception_handler(RequestValidationError)(self._on_validation_error)
        self.resolver.exception_handler(DomainError)(self._on_domain_error)
        self.resolver.exception_handler(Exception)(self._on_unexpected_error)
        self.resolver.not_found()(self._on_not_found)
        self._entry = lambda_entry(self._handle)

    # Registration ------------------------------------------------------------------------------
    def route(self, key: str, **options: Any) -> Callable[[F], F]:
        """Register a handler for a route the service declared ("GET /v1/contacts/{contact_id}")."""
        route = self.routes.get(key)
        if route is None:
            raise LookupError(f"{key} is not declared in the {self.service.name} service manifest")

        def register(function: F) -> F:
            summary = (function.__doc__ or "").strip().splitlines()
            if summary:
                options.setdefault("summary", summary[0])
            target = _without_response_validation(function) if route.binary else function
            self.resolver.route(route.resolver_path, route.method, **options)(target)
            self.registered.add(key)
            return function

        return register

    def add_health_route(self) -> None:
        """``GET /v1/health/<service>``: the function runs and reaches its table (one read)."""
        from shared import dynamo

        @self.route(f"GET /v1/health/{self.service.name}")
        def health() -> dict[str, str]:
            """The service runs and reaches its table."""
            if self.service.table is not None:
                table = get_settings().table(self.service.name)
                dynamo.get_item(table, {"pk": "HEALTH", "sk": "HEALTH"}, consistent=False)
            return {"status": "ok", "service": self.service.name}

    # Request context ---------------------------------------------------------------------------
    def principal(self) -> StaffPrincipal | MemberPrincipal:
        found = self._principal(self.resolver.current_event.raw_event)
        if found is None:  # routes are authorised before dispatch; this is a programming error
            raise Forbidden("No principal for this request.")
        return found

    def staff(self) -> StaffPrincipal:
        found = self.principal()
        if not isinstance(found, StaffPrincipal):
            raise Forbidden("This route is for staff.")
        return found

    def member(self) -> MemberPrincipal:
        found = self.principal()
        if not isinstance(found, MemberPrincipal):
            raise Forbidden("This route is for members.")
        return found

    def idempotency_key(self) -> str | None:
        key = self.header("Idempotency-Key")
        if key is not None and not 0 < len(key) <= IDEMPOTENCY_KEY_MAX:
            raise Unprocessable(
                "Idempotency-Key must be 1 to 128 characters.",
                [{"loc": ["header", "Idempotency-Key"], "msg": "bad length"}],
            )
        return key

    def header(self, name: str) -> str | None:
        headers = self.resolver.current_event.headers or {}
        return next((value for key, value in headers.items() if key.lower() == name.lower()), None)

    @staticmethod
    def _principal(event: dict[str, Any]) -> StaffPrincipal | MemberPrincipal | None:
        authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
        return from_context(authorizer.get("lambda"))

    # Entry point -------------------------------------------------------------------------------
    def handle(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return self._entry(event, context)

    def _handle(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        request_id = (event.get("requestContext") or {}).get("requestId") or "local"
        headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
        with correlated(headers.get("x-correlation-id") or request_id):
            # The API speaks JSON only: a body sent with another content type (curl -d sends a form
            # type) is still read as JSON, and answered 400 if it is not.
            event["headers"] = {
                **{k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"},
                "content-type": "application/json",
            }
            encoded = _encoded_path(event, self.routes.get(str(event.get("routeKey", ""))))
            if encoded is not None:
                event["rawPath"] = encoded
            early = self._refuse_early(event)
            answer = _lambda_answer(early) if early is not None else self.resolver.resolve(event, context)
            answer.setdefault("headers", {})["x-correlation-id"] = headers.get("x-correlation-id") or request_id
            return answer

    def _refuse_early(self, event: dict[str, Any]) -> Response[str] | None:
        """Size and authorisation are settled before the body is parsed or validated."""
        body = event.get("body") or ""
        size = len(base64.b64decode(body)) if event.get("isBase64Encoded") else len(body.encode())
        if size > get_settings().max_body_bytes:
            return self._problem_for(
                PayloadTooLarge(f"The body is {size} bytes; at most {get_settings().max_body_bytes}.")
            )
        route = self.routes.get(str(event.get("routeKey", "")))
        if route is not None:
            try:
                authorize(route, self._principal(event))
            except DomainError as error:
                return self._problem_for(error)
        return None

    # Errors ------------------------------------------------------------------------------------
    @staticmethod
    def _problem_for(error: DomainError) -> Response[str]:
        return problem(error.status, error.title, error.detail, error.type_slug, **error.extra)

    def _on_domain_error(self, error: DomainError) -> Response[str]:
        return self._problem_for(error)

    def _on_validation_error(self, error: RequestValidationError) -> Response[str]:
        malformed, errors = _validation_errors(error)
        if malformed:
            return problem(400, "Malformed body", "The body is not valid JSON.", "malformed-body")
        return problem(
            422, "Unprocessable content", "The request has invalid fields.", "validation-error", errors=errors
        )

    def _on_unexpected_error(self, error: Exception) -> Response[str]:
        logger.exception("unhandled error", extra={"error": type(error).__name__})
        return problem(500, "Internal error", "Something went wrong on our side.", "internal-error")

    def _on_not_found(self, _: Exception) -> Response[str]:
        return problem(404, "Not found", "No such route.", "not-found")

    # OpenAPI -----------------------------------------------------------------------------------
    def openapi(self) -> dict[str, Any]:
        return json.loads(self.resolver.get_openapi_json_schema(title=f"Siyu {self.service.name}"))  # type: ignore[no-any-return]


def _without_response_validation(function: Callable[..., Any]) -> Callable[..., Any]:
    """The same handler with its parameters' types resolved but no return type, so Powertools
    validates the request and leaves a binary body (an image) alone."""

    @functools.wraps(function)
    def binary_route(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    hints = typing.get_type_hints(function, include_extras=True)
    signature = inspect.signature(function)
    binary_route.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()],
        return_annotation=inspect.Signature.empty,
    )
    return binary_route


def _lambda_answer(response: Response[str]) -> dict[str, Any]:
    """An answer given before routing, in the HTTP API v2 proxy format."""
    return {
        "statusCode": response.status_code,
        "headers": {"Content-Type": str(response.headers.get("Content-Type", PROBLEM_JSON))},
        "body": response.body,
        "isBase64Encoded": False,
    }
