"""The local API Gateway: matches a request to a declared route, runs the authorizer for
non-public routes, and invokes the service's handler with an HTTP API v2 (payload 2.0) event,
exactly as the deployed API does."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from services.platform.service import AUTHORIZER_HANDLER
from shared.manifest import Route, Service, resolve_handler

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


class LocalContext:
    """The parts of Lambda's context object our handlers and Powertools read."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + 30

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class BoundRoute:
    service: Service
    route: Route
    pattern: re.Pattern[str]


@dataclass
class HttpAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


def _compile(path: str) -> re.Pattern[str]:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return re.compile(f"^{regex}$")


class LocalGateway:
    def __init__(self, services: tuple[Service, ...]) -> None:
        bound = [BoundRoute(service, route, _compile(route.path)) for service in services for route in service.routes]
        # Like API Gateway, the most specific route wins: fewer path parameters first.
        self.routes = sorted(bound, key=lambda b: (b.route.path.count("{"), -len(b.route.path)))
        self._handlers: dict[str, LambdaHandler] = {}

    def route_keys(self) -> set[str]:
        return {bound.route.key for bound in self.routes}

    def _handler(self, dotted: str) -> LambdaHandler:
        if dotted not in self._handlers:
            self._handlers[dotted] = resolve_handler(dotted)
        return self._handlers[dotted]

    def match(self, method: str, path: str) -> tuple[BoundRoute, dict[str, str]] | None:
        for bound in self.routes:
            if bound.route.method == method and (found := bound.pattern.match(path)):
                return bound, {k: _unquote(v) for k, v in found.groupdict().items()}
        return None

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str = "127.0.0.1"
    ) -> HttpAnswer:
        path, _, query = target.partition("?")
        matched = self.match(method, path)
        if matched is None:
            problem = {
                "type": "https://siyu.dev/problems/not-found",
                "title": "Not found",
                "status": 404,
                "detail": "No such route.",
            }
            return HttpAnswer(404, {"Content-Type": "application/problem+json"}, json.dumps(problem).encode())
        bound, path_parameters = matched
        event = self._event(method, path, query, headers, body, bound.route, path_parameters, source_ip)
        if bound.route.access != "public":
            decision = self._handler(AUTHORIZER_HANDLER)(self._authorizer_event(event), LocalContext("authorizer"))
            if not decision.get("isAuthorized"):
                return HttpAnswer(403, {"Content-Type": "application/json"}, b'{"message":"Forbidden"}')
            event["requestContext"]["authorizer"] = {"lambda": decision.get("context") or {}}
        assert bound.service.api_handler is not None
        answer = self._handler(bound.service.api_handler)(event, LocalContext(f"{bound.service.name}-api"))
        return _http_answer(answer)

    @staticmethod
    def _event(
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        route: Route,
        path_parameters: dict[str, str],
        source_ip: str,
    ) -> dict[str, Any]:
        lowered: dict[str, str] = {}
        for name, value in headers.items():  # API Gateway joins repeated headers with commas
            key = name.lower()
            lowered[key] = f"{lowered[key]},{value}" if key in lowered else value
        # API Gateway tells the function the scheme the client used; the local stack serves plain http.
        lowered.setdefault("x-forwarded-proto", "http")
        parameters: dict[str, str] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            parameters[key] = f"{parameters[key]},{value}" if key in parameters else value
        try:
            text, encoded = body.decode("utf-8"), False
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(body).decode(), True
        now = time.time()
        return {
            "version": "2.0",
            "routeKey": route.key,
            "rawPath": path,
            "rawQueryString": query,
            "headers": lowered,
            "queryStringParameters": parameters or None,
            "pathParameters": path_parameters or None,
            "requestContext": {
                "accountId": "000000000000",
                "apiId": "local",
                "domainName": lowered.get("host", "127.0.0.1"),
                "http": {
                    "method": method,
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": source_ip,
                    "userAgent": lowered.get("user-agent", ""),
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": route.key,
                "stage": "$default",
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "timeEpoch": int(now * 1000),
            },
            "body": text if body else None,
            "isBase64Encoded": encoded,
        }

    @staticmethod
    def _authorizer_event(event: dict[str, Any]) -> dict[str, Any]:
        return {
            "version": "2.0",
            "type": "REQUEST",
            "routeArn": f"arn:aws:execute-api:local:000000000000:local/$default/{event['routeKey'].replace(' ', '')}",
            "routeKey": event["routeKey"],
            "rawPath": event["rawPath"],
            "rawQueryString": event["rawQueryString"],
            "headers": event["headers"],
            "requestContext": event["requestContext"],
        }


def _unquote(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value)


def _http_answer(answer: dict[str, Any]) -> HttpAnswer:
    raw = answer.get("body") or ""
    body = base64.b64decode(raw) if answer.get("isBase64Encoded") else str(raw).encode()
    headers = {str(k): ",".join(v) if isinstance(v, list) else str(v) for k, v in (answer.get("headers") or {}).items()}
    for name, values in (answer.get("multiValueHeaders") or {}).items():
        headers[name] = ",".join(values)
    return HttpAnswer(int(answer.get("statusCode", 200)), headers, body)
