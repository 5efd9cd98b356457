"""The HTTP layer every service's API function is built on.

``ServiceApi`` routes API Gateway HTTP API (v2) events to the handlers a service registers:
routes are registered only if the service declared them, the caller's principal is checked
against the route's declared access and roles before anything else runs, oversized bodies and
bodies that are not UTF-8 (or not JSON, where JSON is read) are refused, parameters are validated
with pydantic and JSON bodies strictly so (``true`` and ``"5"`` are not integers), and every error
leaves as ``application/problem+json`` (RFC 9457).

A route states once what it answers: its success status (``status=201``), a body that is not
JSON (``media_type="image/png"``), a body it reads that is not JSON (``consumes="text/xml"``),
whether it honours ``Idempotency-Key`` and the domain errors its logic raises (``errors=(409,)``).
Everything else a route can answer is derived from its declaration: 401 unless public, 403 unless
any principal may call it, 404 with path values, 400/413 with a body, 422 with inputs, 409 for a
write (a conditional write can lose a race). The OpenAPI document is written from the same facts.

The router is ours rather than Powertools' event handler because that package imports every
resolver it ships (and all its event data classes) when any of it is imported: it cost about
50 ms of each API function's cold start on top of pydantic. Powertools still writes the OpenAPI
document's schemas, from the same handlers, only when the document is asked for
(``ServiceApi.openapi``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import inspect
import json
import re
import types
import typing
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import unquote

from pydantic import BaseModel, Field, ValidationError, create_model
from pydantic_core import PydanticUndefined, to_json

from shared.auth.principal import MemberPrincipal, StaffPrincipal, authorize, from_context
from shared.errors import DomainError, Forbidden, PayloadTooLarge, Unprocessable
from shared.manifest import Route, Service
from shared.observability import correlated, lambda_entry, logger
from shared.params import Param
from shared.settings import get_settings

PROBLEM_JSON = "application/problem+json"
JSON = "application/json"
IDEMPOTENCY_KEY_MAX = 128
F = TypeVar("F", bound=Callable[..., Any])
BodyT = TypeVar("BodyT")

_event: ContextVar[dict[str, Any]] = ContextVar("siyu_http_event")
_serving: ContextVar[_Registered | None] = ContextVar("siyu_http_route", default=None)
_text: ContextVar[str] = ContextVar("siyu_http_body", default="")


class Response(Generic[BodyT]):
    """An answer with a status, headers or a body of its own; a bytes body (an image) leaves
    base64-encoded, as API Gateway expects binary bodies."""

    def __init__(
        self,
        status_code: int,
        content_type: str | None = None,
        body: BodyT | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.headers: dict[str, str] = dict(headers or {})
        if content_type:
            self.headers.setdefault("Content-Type", content_type)

    def lambda_answer(self) -> dict[str, Any]:
        """The answer in the HTTP API v2 proxy format."""
        body: Any = self.body
        binary = isinstance(body, bytes)
        return {
            "statusCode": self.status_code,
            "headers": dict(self.headers),
            "body": base64.b64encode(body).decode() if binary else body,
            "isBase64Encoded": binary,
            "cookies": [],
        }


def problem(status: int, title: str, detail: str, type_slug: str, **extra: Any) -> Response[str]:
    body = {
        "type": f"https://siyu.dev/problems/{type_slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return Response(status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body, ensure_ascii=False))


class _InvalidRequest(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("invalid request")
        self.errors = errors


class _MalformedBody(Exception):
    """The body cannot be read at all: not UTF-8, not JSON, nested too deep, a number too long."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


# Routing --------------------------------------------------------------------------------------
Where = Literal["path", "query", "body"]


# Plain classes, not dataclasses: building a dataclass costs about a millisecond of cold start.
class _Input:
    """One handler parameter: where the request carries it and under which name."""

    __slots__ = ("errors", "field", "key", "many", "parameter", "where")

    def __init__(
        self, parameter: str, field: str, where: Where, key: str, many: bool, errors: tuple[int, ...] = ()
    ) -> None:
        self.parameter = parameter
        self.field = field  # its field in the route's parameter model
        self.where = where
        self.key = key
        self.many = many  # a list in the query: "a,b" (or a repeated name, joined by the gateway) splits
        self.errors = errors  # statuses its value can bring beyond 422 (a cursor of another listing: 400)


class _Body:
    """The handler's body parameter: a pydantic model read from the JSON body, strictly."""

    __slots__ = ("default", "model", "parameter")

    def __init__(self, parameter: str, model: type[BaseModel], default: Any) -> None:
        self.parameter = parameter
        self.model = model
        self.default = default  # PydanticUndefined: the body is required


class _Binding:
    __slots__ = ("body", "inputs", "model")

    def __init__(self, model: type[BaseModel], inputs: tuple[_Input, ...], body: _Body | None) -> None:
        self.model = model  # path and query values, validated as strings are (lax)
        self.inputs = inputs
        self.body = body


class _Registered:
    __slots__ = (
        "binding",
        "consumes",
        "errors",
        "function",
        "idempotent",
        "media_type",
        "names",
        "options",
        "pattern",
        "route",
        "status",
    )

    def __init__(
        self,
        route: Route,
        function: Callable[..., Any],
        options: dict[str, Any],
        pattern: re.Pattern[str],
        names: tuple[str, ...],
        answer: tuple[int, str, str | None, bool, tuple[int, ...]],
    ) -> None:
        self.route = route
        self.function = function
        self.options = options
        self.pattern = pattern
        self.names = names
        self.status, self.media_type, self.consumes, self.idempotent, self.errors = answer
        self.binding: _Binding | None = None

    def bound(self) -> _Binding:
        # Built on the first call, not at import: a cold start pays only for the routes it serves.
        if self.binding is None:
            self.binding = _bind(self.function, self.route, self.names)
        return self.binding

    @property
    def takes_body(self) -> bool:
        return self.consumes is not None or self.bound().body is not None

    def error_statuses(self) -> list[int]:
        """Every error status the route can answer: derived from its declaration, plus the
        domain errors its logic raises (declared with ``errors=``)."""
        route, binding = self.route, self.bound()
        found = set(self.errors)
        if route.access != "public":
            found.add(401)
        if route.access in ("staff", "member"):  # the other kind of principal, or a role left out
            found.add(403)
        if self.names:
            found.add(404)
        if self.takes_body:
            found.update((400, 413))
        if binding.inputs or binding.body is not None or self.idempotent:
            found.add(422)
        if self.idempotent:
            found.add(409)
        if route.method != "GET" and route.access != "public":  # a conditional write can lose a race
            found.add(409)
        for item in binding.inputs:
            found.update(item.errors)
        return sorted(found)


def _marker(hint: Any) -> Param | None:
    if typing.get_origin(hint) is typing.Annotated:
        return next((item for item in hint.__metadata__ if isinstance(item, Param)), None)
    return None


def _bare(hint: Any) -> Any:
    return hint.__origin__ if typing.get_origin(hint) is typing.Annotated else hint


def _is_model(hint: Any) -> bool:
    bare = _bare(hint)
    return isinstance(bare, type) and issubclass(bare, BaseModel)


def _is_many(hint: Any) -> bool:
    bare = _bare(hint)
    origin = typing.get_origin(bare)
    if origin in (list, tuple, set, frozenset):
        return True
    return origin in (typing.Union, types.UnionType) and any(_is_many(a) for a in typing.get_args(bare))


def _bind(function: Callable[..., Any], route: Route, names: tuple[str, ...]) -> _Binding:
    """One pydantic model per route for its path and query values, a field per parameter, so a
    request is validated in one call and every invalid value is reported at once; the body is
    validated by its own model, strictly, straight from the JSON text."""
    hints = typing.get_type_hints(function, include_extras=True)
    found: list[_Input] = []
    fields: dict[str, Any] = {}
    body: _Body | None = None
    for index, parameter in enumerate(inspect.signature(function).parameters.values()):
        hint = hints.get(parameter.name, Any)
        marker = _marker(hint)
        default = PydanticUndefined if parameter.default is inspect.Parameter.empty else parameter.default
        if marker is None and parameter.name not in names and _is_model(hint):
            if body is not None:
                raise TypeError(f"{route.key}: a handler takes at most one body parameter")
            body = _Body(parameter.name, _bare(hint), default)
            continue
        where: Where
        if marker is not None:
            where = marker.where
        elif parameter.name in names:
            where = "path"
        else:
            where = "query"
        constraints = marker.constraints if marker is not None else {}
        name = f"p{index}"  # not the parameter's name, which could shadow a BaseModel attribute
        fields[name] = (hint, Field(default, **constraints))
        key = (marker.alias if marker is not None else None) or parameter.name
        errors = marker.errors if marker is not None else ()
        found.append(_Input(parameter.name, name, where, key, where == "query" and _is_many(hint), errors))
    order: dict[str, int] = {"path": 0, "query": 1}
    inputs = tuple(sorted(found, key=lambda item: order[item.where]))
    ordered = {item.field: fields[item.field] for item in inputs}
    model = create_model(f"{function.__name__}_request", **ordered)
    return _Binding(model, inputs, body)


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$")


class ServiceApi:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.routes: dict[str, Route] = {route.key: route for route in service.routes}
        self.handlers: dict[str, _Registered] = {}
        self._openapi: str | None = None
        self._entry = lambda_entry(self._handle)

    @property
    def registered(self) -> set[str]:
        return set(self.handlers)

    # Registration ------------------------------------------------------------------------------
    def route(
        self,
        key: str,
        *,
        status: int = 200,
        media_type: str = JSON,
        consumes: str | None = None,
        idempotent: bool = False,
        errors: tuple[int, ...] = (),
        **options: Any,
    ) -> Callable[[F], F]:
        """Register a handler for a route the service declared ("GET /v1/contacts/{contact_id}").

        ``status``: the success status (a handler returning None answers it without a body, as
        204 should); ``media_type``: the success body's type when it is not JSON (the handler
        returns a ``Response``); ``consumes``: the type of a body the handler reads as text
        (``body_text``) rather than as a JSON model; ``idempotent``: the route honours an
        ``Idempotency-Key`` header; ``errors``: the error statuses its logic raises that are not
        derived from the declaration (see ``error_statuses``). ``options`` go to the route's
        OpenAPI operation (summary, description, tags…)."""
        route = self.routes.get(key)
        if route is None:
            raise LookupError(f"{key} is not declared in the {self.service.name} service manifest")
        if route.binary and media_type == JSON:
            raise TypeError(f"{key} answers bytes: register it with the media_type of its body")

        def register(function: F) -> F:
            summary = (function.__doc__ or "").strip().splitlines()
            if summary:
                options.setdefault("summary", summary[0])
            names = tuple(re.findall(r"\{(\w+)\}", route.path))
            answer = (status, media_type, consumes, idempotent, tuple(errors))
            self.handlers[key] = _Registered(route, function, options, _pattern(route.path), names, answer)
            self._openapi = None
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
        found = self._principal(_event.get())
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
        serving = _serving.get()
        if serving is None or not serving.idempotent:
            # Its 409 and 422 and the header itself would be missing from the OpenAPI document.
            raise RuntimeError("idempotency_key() on a route not registered with idempotent=True")
        key = self.header("Idempotency-Key")
        if key is not None and not 0 < len(key) <= IDEMPOTENCY_KEY_MAX:
            raise Unprocessable(
                "Idempotency-Key must be 1 to 128 characters.",
                [{"loc": ["header", "Idempotency-Key"], "msg": "bad length"}],
            )
        return key

    def header(self, name: str) -> str | None:
        headers = _event.get().get("headers") or {}
        return next((value for key, value in headers.items() if key.lower() == name.lower()), None)

    def body_text(self) -> str:
        """The request body as sent, already checked to be UTF-8 (for routes registered with
        ``consumes=``, which read something other than JSON)."""
        return _text.get()

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
            # A context variable, not an attribute: the local stack may serve requests on threads.
            token = _event.set(event)
            try:
                answer = self._answer(event).lambda_answer()
            finally:
                _event.reset(token)
            answer["headers"]["x-correlation-id"] = headers.get("x-correlation-id") or request_id
            return answer

    def _answer(self, event: dict[str, Any]) -> Response[Any]:
        try:
            matched = self._match(event)
            if matched is None:
                return problem(404, "Not found", "No such route.", "not-found")
            registered, path_values = matched
            return self._serve(registered, event, path_values)
        except _MalformedBody as error:
            return problem(400, "Malformed body", error.detail, "malformed-body")
        except _InvalidRequest as error:
            return problem(
                422, "Unprocessable content", "The request has invalid fields.", "validation-error", errors=error.errors
            )
        except DomainError as error:
            return self._problem_for(error)
        except Exception as error:
            logger.exception("unhandled error", extra={"error": type(error).__name__})
            return problem(500, "Internal error", "Something went wrong on our side.", "internal-error")

    def _serve(self, registered: _Registered, event: dict[str, Any], path_values: dict[str, str]) -> Response[Any]:
        """Size, then authorisation, then the body's encoding, then validation: all before the
        handler runs, each refusal its own 4xx."""
        raw: bytes | None = None
        unreadable: _MalformedBody | None = None
        if registered.takes_body:
            try:
                raw = _body_bytes(event)
            except _MalformedBody as error:
                unreadable = error  # refused after authorisation: a caller without a token gets its 401
            else:
                limit = get_settings().max_body_bytes
                if len(raw) > limit:
                    raise PayloadTooLarge(f"The body is {len(raw)} bytes; at most {limit}.")
        authorize(registered.route, self._principal(event))
        if unreadable is not None:
            raise unreadable
        text = _utf8(raw) if raw is not None else ""
        serving, body_token = _serving.set(registered), _text.set(text)
        try:
            return self._call(registered, event, path_values, text)
        finally:
            _serving.reset(serving)
            _text.reset(body_token)

    def _match(self, event: dict[str, Any]) -> tuple[_Registered, dict[str, str]] | None:
        """The route API Gateway matched, with the path values it decoded once.

        ``rawPath`` is not trusted for this: API Gateway's HTTP API is reported to hand it over
        already decoded (a value with "/" in it would no longer match its route). Only an event
        without a usable ``routeKey`` is matched on its path, a segment per value, each value
        decoded once."""
        registered = self.handlers.get(str(event.get("routeKey", "")))
        values = event.get("pathParameters") or {}
        if registered is not None and all(values.get(name) for name in registered.names):
            return registered, {name: str(values[name]) for name in registered.names}
        method = str(((event.get("requestContext") or {}).get("http") or {}).get("method", "")).upper()
        path = str(event.get("rawPath", ""))
        for candidate in sorted(self.handlers.values(), key=lambda item: len(item.names)):
            found = candidate.pattern.match(path) if candidate.route.method == method else None
            if found is not None:
                return candidate, {name: unquote(value) for name, value in found.groupdict().items()}
        return None

    def _call(
        self, registered: _Registered, event: dict[str, Any], path_values: dict[str, str], text: str
    ) -> Response[Any]:
        binding = registered.bound()
        query = event.get("queryStringParameters") or {}
        data: dict[str, Any] = {}
        for item in binding.inputs:
            value: Any = path_values.get(item.key) if item.where == "path" else query.get(item.key)
            if item.many and isinstance(value, str):
                value = value.split(",")
            if value is not None:  # absent: the default, or "Field required"
                data[item.field] = value
        errors: list[dict[str, Any]] = []
        arguments: dict[str, Any] = {}
        try:
            # from_attributes as Powertools validated: clients read the same messages as before.
            request = binding.model.model_validate(data, from_attributes=True)
            arguments = {item.parameter: getattr(request, item.field) for item in binding.inputs}
        except ValidationError as error:
            errors = _errors(error, binding)
        if binding.body is not None:
            try:
                arguments[binding.body.parameter] = _read_body(binding.body, text)
            except ValidationError as error:
                errors.extend(_body_errors(error))
        if errors:
            raise _InvalidRequest(errors)
        result = registered.function(**arguments)
        if isinstance(result, Response):
            return result
        if result is None and registered.status == 204:
            return Response(204)
        return Response(registered.status, JSON, to_json(result, by_alias=True).decode())

    # Errors ------------------------------------------------------------------------------------
    @staticmethod
    def _problem_for(error: DomainError) -> Response[str]:
        return problem(error.status, error.title, error.detail, error.type_slug, **error.extra)

    # OpenAPI -----------------------------------------------------------------------------------
    def openapi(self) -> dict[str, Any]:
        """The service's OpenAPI document: Powertools writes the schemas from the registered
        handlers, the declarations say what each operation answers."""
        if self._openapi is None:
            self._openapi = _openapi_document(self)
        return json.loads(self._openapi)  # type: ignore[no-any-return]


# Bodies ---------------------------------------------------------------------------------------
def _body_bytes(event: dict[str, Any]) -> bytes:
    """The body's bytes as the client sent them: API Gateway base64-encodes a body that is not
    text; a text body that cannot be encoded back (lone surrogates) was not UTF-8 either."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise _MalformedBody("The body is not valid base64.") from None
    try:
        return str(body).encode("utf-8")
    except UnicodeEncodeError:
        raise _MalformedBody("The body is not valid UTF-8.") from None


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _MalformedBody("The body is not valid UTF-8.") from None


# What pydantic reports when the text is not JSON it can read: malformed, nested deeper than its
# parser's limit (200 levels, far below Python's recursion limit), a number past 4,300 digits, or
# a string with a lone surrogate. A 400, not a list of invalid fields.
_UNREADABLE = frozenset({"json_invalid", "string_unicode"})


def _read_body(body: _Body, text: str) -> Any:
    """The body model, validated strictly from the JSON text: a number must be a JSON number and
    an integer an integer (``true``, ``"5"`` and ``5.5`` are refused), while dates, times and URLs
    are read from their strings, as JSON has no type for them."""
    if not text.strip() or text.strip() == "null":
        if body.default is not PydanticUndefined:
            return body.default
        raise ValidationError.from_exception_data("body", [{"type": "missing", "loc": (), "input": None}])
    try:
        return body.model.model_validate_json(text, strict=True)
    except ValidationError as error:
        unreadable = next((item for item in error.errors() if item["type"] in _UNREADABLE and not item["loc"]), None)
        if unreadable is not None:
            raise _MalformedBody(f"The body is not JSON that can be read: {unreadable['msg']}.") from None
        raise


def _errors(error: ValidationError, binding: _Binding) -> list[dict[str, Any]]:
    """pydantic's errors, located as clients read them: ["query", "limit"], ["path", "contact_id"]."""
    by_field = {item.field: item for item in binding.inputs}
    errors = []
    for item in error.errors(include_url=False, include_input=False):
        first, *rest = item.get("loc", ()) or ("",)
        source = by_field.get(str(first))
        head: list[Any] = [source.where, source.key] if source is not None else []
        errors.append({"loc": [str(part) for part in (*head, *rest)], "msg": str(item.get("msg", ""))})
    return errors


def _body_errors(error: ValidationError) -> list[dict[str, Any]]:
    """The body's errors under "body" (the request's only JSON document): ["body", "name"]."""
    return [
        {"loc": ["body", *(str(part) for part in item.get("loc", ()))], "msg": str(item.get("msg", ""))}
        for item in error.errors(include_url=False, include_input=False)
    ]


# OpenAPI --------------------------------------------------------------------------------------
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error, as RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "Names the kind of error."},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "For a person to read."},
        "errors": {
            "type": "array",
            "description": "422: every invalid value, where it is and what is wrong with it.",
            "items": {
                "type": "object",
                "required": ["loc", "msg"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}, "examples": [["body", "name"]]},
                    "msg": {"type": "string"},
                },
            },
        },
        "reason": {"type": "string", "description": "409: a stable code saying which conflict."},
    },
}
ERROR_DESCRIPTIONS = {
    400: "The body is not UTF-8, or not JSON that can be read (nested over 200 levels, a number over "
    "4,300 digits); or a cursor of another listing.",
    401: "No valid bearer token (or, for WeChat's callbacks, no valid signature).",
    403: "The caller's kind (staff or member) or roles may not use this route.",
    404: "No such resource in the caller's tenant.",
    409: "The request conflicts with the current state (``reason`` says how), or lost a race: read again.",
    413: "The body is larger than the API accepts.",
    422: "Invalid parameters or body fields (``errors`` lists each), or a reused Idempotency-Key.",
    503: "An upstream service (WeChat) did not answer.",
}
_POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


def _openapi_document(api: ServiceApi) -> str:
    """Powertools' resolver is built here, once per document: never on a request's path."""
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

    resolver = APIGatewayHttpResolver(enable_validation=True)
    for registered in api.handlers.values():
        route = registered.route
        resolver.route(route.resolver_path, route.method, **registered.options)(_described(registered))
    document: dict[str, Any] = json.loads(resolver.get_openapi_json_schema(title=f"Siyu {api.service.name}"))
    for registered in api.handlers.values():
        route = registered.route
        _declare(document["paths"][route.path][route.method.lower()], registered)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _POWERTOOLS_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    return json.dumps(document, ensure_ascii=False)


def _declare(operation: dict[str, Any], registered: _Registered) -> None:
    """What the operation answers, as declared: its success status and body, every error status
    as problem+json; the body it reads when that is not JSON; the Idempotency-Key it honours."""
    generated = operation.get("responses", {}).get("200", {})
    success: dict[str, Any] = {"description": generated.get("description") or "Successful Response"}
    if registered.status == 204:
        success["description"] = "Done; no content."
    elif registered.media_type == JSON:
        schema = generated.get("content", {}).get(JSON, {}).get("schema", {})
        success["content"] = {JSON: {"schema": schema}}
    elif registered.media_type.startswith("text/"):
        success["content"] = {registered.media_type: {"schema": {"type": "string"}}}
    else:
        success["content"] = {registered.media_type: {"schema": {"type": "string", "format": "binary"}}}
    responses: dict[str, Any] = {str(registered.status): success}
    for status in registered.error_statuses():
        responses[str(status)] = {
            "description": ERROR_DESCRIPTIONS.get(status, "An error."),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    operation["responses"] = responses
    if registered.consumes is not None:
        operation["requestBody"] = {"required": True, "content": {registered.consumes: {"schema": {"type": "string"}}}}
    if registered.idempotent:
        operation.setdefault("parameters", []).append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Send the same key again to get the first answer instead of a second creation.",
                "schema": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX},
            }
        )
    if registered.route.access != "public":
        operation["security"] = [{"bearer": []}]


def _described(registered: _Registered) -> Callable[..., Any]:
    """The handler as Powertools reads it: our markers become its Query/Path, our ``Response``
    its own, and a route whose body is not JSON has no return type (its body is not a schema)."""
    from aws_lambda_powertools.event_handler import Response as PowertoolsResponse
    from aws_lambda_powertools.event_handler.openapi import params

    kinds = {"query": params.Query, "path": params.Path}

    def translated(hint: Any) -> Any:
        marker = _marker(hint)
        if marker is None:
            return hint
        metadata = tuple(
            kinds[item.where](alias=item.alias, **item.constraints) if isinstance(item, Param) else item
            for item in hint.__metadata__
        )
        # Subscripting with a tuple works on every Python (3.13 dropped Annotated.__class_getitem__).
        return typing.Annotated[(hint.__origin__, *metadata)]

    function = registered.function
    hints = typing.get_type_hints(function, include_extras=True)
    returned = hints.get("return", inspect.Signature.empty)
    if registered.media_type != JSON or registered.status == 204:
        returned = inspect.Signature.empty
    elif typing.get_origin(returned) is Response or returned is Response:
        returned = PowertoolsResponse[typing.get_args(returned) or (Any,)]  # type: ignore[misc]

    @functools.wraps(function)
    def described(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    signature = inspect.signature(function)
    described.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            p.replace(annotation=translated(hints.get(p.name, p.annotation))) for p in signature.parameters.values()
        ],
        return_annotation=returned,
    )
    return described
