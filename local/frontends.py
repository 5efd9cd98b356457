"""The built frontends on the local stack's own origin: the staff console at ``/console/`` and the
member H5 at ``/m/``, served as CloudFront serves them in AWS (infra/web_spec.py describes both):
files from ``web/<app>/dist``, every other path under the prefix answered with the app's
``index.html`` (the app routes it), the same caching and security headers, and a ``config.json``
saying the API is on this origin and sign-in is the development one."""

from __future__ import annotations

import fnmatch
import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from infra.web_spec import (
    ASSET_CACHE_CONTROL,
    ASSETS_DIR,
    CONFIG_FILE,
    CONSOLE,
    MEMBER,
    PAGE_CACHE_CONTROL,
    UNSERVED,
    Frontend,
    runtime_config,
    security_headers,
)
from local.gateway import HttpAnswer

WEB = Path(__file__).resolve().parents[1] / "web"
# The H5's app id for the development WeChat sign-in: the local WeChat fake accepts any app id.
LOCAL_MEMBER_APP_ID = "wx-local-h5"
# The API is on the same origin ('self'), so the pages fetch nothing else; no HSTS over http.
HEADERS = security_headers(connect=(), https=False)


@dataclass(frozen=True)
class LocalFrontend:
    frontend: Frontend
    config: dict[str, object]

    @property
    def dist(self) -> Path:
        return WEB / self.frontend.name / "dist"


MEMBER_DEV_AUTH = {"mode": "dev", "appId": LOCAL_MEMBER_APP_ID}
LOCAL_FRONTENDS = (
    LocalFrontend(CONSOLE, runtime_config(api_url="", stage="local", auth={"mode": "dev"})),
    LocalFrontend(MEMBER, runtime_config(api_url="", stage="local", auth=MEMBER_DEV_AUTH)),
)


def frontend_for(target: str) -> LocalFrontend | None:
    path = target.split("?", 1)[0]
    for local in LOCAL_FRONTENDS:
        if path == local.frontend.prefix.rstrip("/") or path.startswith(local.frontend.prefix):
            return local
    return None


def serve(local: LocalFrontend, target: str) -> HttpAnswer:
    path = target.split("?", 1)[0]
    prefix = local.frontend.prefix
    relative = path[len(prefix) :]  # "" for the base with or without its slash (/m?tenant=… too)
    if relative == CONFIG_FILE:
        return _answer(200, "application/json", json.dumps(local.config).encode(), cache=PAGE_CACHE_CONTROL)
    index = local.dist / "index.html"
    if not index.is_file():
        message = f"{prefix} is not built: run `make web` (make run builds it)."
        return _answer(503, "text/plain; charset=utf-8", message.encode())
    root = local.dist.resolve()
    candidate = (local.dist / relative).resolve()
    unserved = any(fnmatch.fnmatch(relative, pattern) for pattern in UNSERVED)
    if relative and not unserved and candidate.is_file() and candidate.is_relative_to(root):
        kind = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        cache = ASSET_CACHE_CONTROL if relative.startswith(f"{ASSETS_DIR}/") else PAGE_CACHE_CONTROL
        return _answer(200, kind, candidate.read_bytes(), cache=cache)
    if unserved or relative.startswith(f"{ASSETS_DIR}/") or Path(relative).suffix:
        return _answer(404, "text/plain; charset=utf-8", b"Not found")
    # Any other path is one of the app's routes (a deep link, a reload): the app decides.
    return _answer(200, "text/html; charset=utf-8", index.read_bytes(), cache=PAGE_CACHE_CONTROL)


def _answer(status: int, content_type: str, body: bytes, cache: str = "no-store") -> HttpAnswer:
    return HttpAnswer(status, {**HEADERS, "Cache-Control": cache, "Content-Type": content_type}, body)
