"""The HTTP layer every service's API function is built on.

``ServiceApi`` routes API Gateway HTTP API (v2) events to the handlers a service registers:
routes are registered only if the service declared them, the caller's principal is checked
against the route's declared access and roles before anything else runs, oversized bodies are
refused, parameters and bodies are validated with pydantic, and every error leaves as
``application/problem+json`` (RFC 9457).

The router is ours rather than Powertools' event handler because that package imports every
resolver it ships (and all its event data classes) when any of it is imported: it cost about
50 ms of each API function's cold start on top of pydantic. Powertools still writes the OpenAPI
document, from the same handlers, only when the document is asked for (``ServiceApi.openapi``).
"""

from __future__ import annotations

import base64
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
IDEMPOTENCY_KEY_MAX = 128
F = TypeVar("F", bound=Callable[..., Any])
BodyT = TypeVar("BodyT")

_event: ContextVar[dict[str, Any]] = ContextVar("siyu_http_event")


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


def json_response(model: BaseModel, status: int = 200) -> Response[str]:
    return Response(status_code=status, content_type="application/json", body=model.model_dump_json())


class _InvalidRequest(Exception):
    def __init__(self, errors: list[dict[str, Any]], malformed: bool = False) -> None:
        super().__init__("invalid request")
        self.errors = errors
        self.malformed = malformed


# Routing --------------------------------------------------------------------------------------
Where = Literal["path", "query", "body"]


# Plain classes, not dataclasses: building a dataclass costs about a millisecond of cold start.
class _Input:
    """One handler parameter: where the request carries it and under which name."""

    __slots__ = ("field", "key", "many", "parameter", "where")

    def __init__(self, parameter: str, field: str, where: Where, key: str, many: bool) -> None:
        self.parameter = parameter
        self.field = field  # its field in the route's request model
        self.where = where
        self.key = key
        self.many = many  # a list in the query: "a,b" (or a repeated name, joined by the gateway) splits


class _Binding:
    __slots__ = ("inputs", "model")

    def __init__(self, model: type[BaseModel], inputs: tuple[_Input, ...]) -> None:
        self.model = model
        self.inputs = inputs


class _Registered:
    __slots__ = ("binding", "function", "names", "options", "pattern", "route")

    def __init__(
        self,
        route: Route,
        function: Callable[..., Any],
        options: dict[str, Any],
        pattern: re.Pattern[str],
        names: tuple[str, ...],
    ) -> None:
        self.route = route
        self.function = function
        self.options = options
        self.pattern = pattern
        self.names = names
        self.binding: _Binding | None = None

    def bound(self) -> _Binding:
        # Built on the first call, not at import: a cold start pays only for the routes it serves.
        if self.binding is None:
            self.binding = _bind(self.function, self.route, self.names)
        return self.binding


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
    """One pydantic model per route, a field per handler parameter, so a request is validated in
    one call and every invalid value is reported at once."""
    hints = typing.get_type_hints(function, include_extras=True)
    found: list[_Input] = []
    fields: dict[str, Any] = {}
    for index, parameter in enumerate(inspect.signature(function).parameters.values()):
        hint = hints.get(parameter.name, Any)
        marker = _marker(hint)
        where: Where
        if marker is not None:
            where = marker.where
        elif parameter.name in names:
            where = "path"
        elif _is_model(hint):
            where = "body"
        else:
            where = "query"
        default = PydanticUndefined if parameter.default is inspect.Parameter.empty else parameter.default
        constraints = marker.constraints if marker is not None else {}
        name = f"p{index}"  # not the parameter's name, which could shadow a BaseModel attribute
        fields[name] = (hint, Field(default, **constraints))
        key = (marker.alias if marker is not None else None) or parameter.name
        found.append(_Input(parameter.name, name, where, key, where == "query" and _is_many(hint)))
    if sum(item.where == "body" for item in found) > 1:
        raise TypeError(f"{route.key}: a handler takes at most one body parameter")
    order: dict[str, int] = {"path": 0, "query": 1, "body": 2}
    inputs = tuple(sorted(found, key=lambda item: order[item.where]))
    ordered = {item.field: fields[item.field] for item in inputs}
    model = create_model(f"{function.__name__}_request", **ordered)
    return _Binding(model, inputs)


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
    def route(self, key: str, **options: Any) -> Callable[[F], F]:
        """Register a handler for a route the service declared ("GET /v1/contacts/{contact_id}").
        ``options`` go to the route's OpenAPI operation (summary, description, tags…)."""
        route = self.routes.get(key)
        if route is None:
            raise LookupError(f"{key} is not declared in the {self.service.name} service manifest")

        def register(function: F) -> F:
            summary = (function.__doc__ or "").strip().splitlines()
            if summary:
                options.setdefault("summary", summary[0])
            names = tuple(re.findall(r"\{(\w+)\}", route.path))
            self.handlers[key] = _Registered(route, function, options, _pattern(route.path), names)
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
        """The request body as sent (for routes that read something other than JSON)."""
        return _body_text(_event.get())

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
            return self._refuse_early(event) or self._dispatch(event)
        except _InvalidRequest as error:
            if error.malformed:
                return problem(400, "Malformed body", "The body is not valid JSON.", "malformed-body")
            return problem(
                422, "Unprocessable content", "The request has invalid fields.", "validation-error", errors=error.errors
            )
        except DomainError as error:
            return self._problem_for(error)
        except Exception as error:
            logger.exception("unhandled error", extra={"error": type(error).__name__})
            return problem(500, "Internal error", "Something went wrong on our side.", "internal-error")

    def _dispatch(self, event: dict[str, Any]) -> Response[Any]:
        matched = self._match(event)
        if matched is None:
            return problem(404, "Not found", "No such route.", "not-found")
        registered, path_values = matched
        return self._call(registered, event, path_values)

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

    def _call(self, registered: _Registered, event: dict[str, Any], path_values: dict[str, str]) -> Response[Any]:
        binding = registered.bound()
        query = event.get("queryStringParameters") or {}
        data: dict[str, Any] = {}
        for item in binding.inputs:
            value: Any
            if item.where == "path":
                value = path_values.get(item.key)
            elif item.where == "query":
                value = query.get(item.key)
                if item.many and isinstance(value, str):
                    value = value.split(",")
            else:
                value = _json_body(event)
            if value is not None:  # absent: the default, or "Field required"
                data[item.field] = value
        try:
            # from_attributes as Powertools validated: clients read the same messages as before.
            request = binding.model.model_validate(data, from_attributes=True)
        except ValidationError as error:
            raise _InvalidRequest(_errors(error, binding)) from None
        result = registered.function(**{item.parameter: getattr(request, item.field) for item in binding.inputs})
        if isinstance(result, Response):
            return result
        return Response(200, "application/json", to_json(result, by_alias=True).decode())

    # Errors ------------------------------------------------------------------------------------
    @staticmethod
    def _problem_for(error: DomainError) -> Response[str]:
        return problem(error.status, error.title, error.detail, error.type_slug, **error.extra)

    # OpenAPI -----------------------------------------------------------------------------------
    def openapi(self) -> dict[str, Any]:
        """The service's OpenAPI document, written by Powertools from the registered handlers."""
        if self._openapi is None:
            self._openapi = _openapi_document(self)
        return json.loads(self._openapi)  # type: ignore[no-any-return]


def _body_text(event: dict[str, Any]) -> str:
    body = event.get("body") or ""
    if event.get("isBase64Encoded") and body:
        return base64.b64decode(body).decode()
    return str(body)


def _json_body(event: dict[str, Any]) -> Any:
    """The body as JSON whatever its content type: the API speaks JSON only (curl -d sends a form
    type), and a body that is not JSON is answered 400."""
    try:
        text = _body_text(event)
        return json.loads(text) if text else None
    except ValueError:  # JSONDecodeError, or bytes that are not UTF-8
        raise _InvalidRequest([], malformed=True) from None


def _errors(error: ValidationError, binding: _Binding) -> list[dict[str, Any]]:
    """pydantic's errors, located as clients read them: ["query", "limit"], ["path", "contact_id"],
    ["body", "name"] (the body is the request's only JSON document, so its fields sit under "body")."""
    by_field = {item.field: item for item in binding.inputs}
    errors = []
    for item in error.errors(include_url=False, include_input=False):
        first, *rest = item.get("loc", ()) or ("",)
        source = by_field.get(str(first))
        head: list[Any] = []
        if source is not None:
            head = ["body"] if source.where == "body" else [source.where, source.key]
        errors.append({"loc": [str(part) for part in (*head, *rest)], "msg": str(item.get("msg", ""))})
    return errors


def _openapi_document(api: ServiceApi) -> str:
    """Powertools' resolver is built here, once per document: never on a request's path."""
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

    resolver = APIGatewayHttpResolver(enable_validation=True)
    for registered in api.handlers.values():
        route = registered.route
        resolver.route(route.resolver_path, route.method, **registered.options)(_described(registered))
    return resolver.get_openapi_json_schema(title=f"Siyu {api.service.name}")


def _described(registered: _Registered) -> Callable[..., Any]:
    """The handler as Powertools reads it: our markers become its Query/Path, our ``Response``
    its own, and a binary route has no return type (its body is an image, not a schema)."""
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
        return typing.Annotated.__class_getitem__((hint.__origin__, *metadata))  # type: ignore[attr-defined]

    function = registered.function
    hints = typing.get_type_hints(function, include_extras=True)
    returned = hints.get("return", inspect.Signature.empty)
    if registered.route.binary:
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
