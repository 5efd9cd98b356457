"""The platform function: health, OpenAPI (merged from every service) and docs, the staff JWKS.
The local stack adds its dev-token route (local/dev_tokens.py)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from services.platform.service import SERVICE
from shared.http import Response, ServiceApi
from shared.manifest import Service, resolve_handler
from shared.settings import get_settings

api = ServiceApi(SERVICE)


@api.route("GET /v1/health")
def health() -> dict[str, str]:
    """The API is up (the local stack answers once everything is ready)."""
    return {"status": "ok", "stage": get_settings().stage}


@cache
def merged_openapi() -> str:
    """One document for the whole API, merged from each service's resolver."""
    from services.registry import SERVICES

    return json.dumps(openapi_document(SERVICES), ensure_ascii=False)


def openapi_document(services: tuple[Service, ...]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Siyu API",
            "version": "1.0.0",
            "description": "Private-domain customer platform. Authenticate with `Authorization: Bearer <JWT>`.",
        },
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
    deployed = not get_settings().is_local
    for service in services:
        if not service.api_handler:
            continue
        service_api: ServiceApi = resolve_handler(service.api_handler.rsplit(".", 1)[0] + ".api")
        part = service_api.openapi()
        hidden = {r.path for r in service.routes if r.local_only and deployed}
        for path, operations in part.get("paths", {}).items():
            if path in hidden:
                continue
            for operation in operations.values():
                operation.setdefault("tags", [service.name])
            document["paths"].setdefault(path, {}).update(operations)
        for route in service.routes:  # who may call it: the console hides what the role cannot do
            if route.path not in hidden and (
                operation := document["paths"].get(route.path, {}).get(route.method.lower())
            ):
                operation["x-siyu-access"] = route.access
                if route.access in ("staff", "any"):
                    operation["x-siyu-roles"] = sorted(route.roles)
        document["components"]["schemas"].update(part.get("components", {}).get("schemas", {}))
    return document


@api.route("GET /v1/openapi.json")
def openapi() -> Response[dict[str, Any]]:
    """The OpenAPI document of the whole API."""
    return Response(status_code=200, content_type="application/json", body=merged_openapi())  # type: ignore[arg-type]


@api.route("GET /v1/docs", media_type="text/html")
def docs() -> Response[str]:
    """Interactive API documentation."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui

    html = swagger_ui.generate_swagger_html(
        spec=merged_openapi().replace("</", "<\\/"),
        swagger_js=_asset("swagger-ui-bundle.min.js"),
        swagger_css=_asset("swagger-ui.min.css"),
        swagger_base_url="",
        oauth2_config=None,
        persist_authorization=True,
    )
    return Response(status_code=200, content_type="text/html", body=html)


@cache
def _asset(name: str) -> str:
    from pathlib import Path

    from aws_lambda_powertools.event_handler.openapi import swagger_ui

    return (Path(swagger_ui.__file__).parent / name).read_text(encoding="utf-8")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return api.handle(event, context)


# Registers GET /v1/auth/jwks.json on this api: the routes module needs `api`, so it comes last.
from services.platform import keys_routes  # noqa: E402, F401
