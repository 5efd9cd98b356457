"""The built frontends on the local stack's own origin: the staff console at ``/console/`` and the
member H5 at ``/m/``, as CloudFront serves them in AWS — files from ``web/<app>/dist``, every other
path under the prefix answered with the app's ``index.html`` (the app routes it), and a
``config.json`` saying the API is on this origin and sign-in is the development one."""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from local.gateway import HttpAnswer

WEB = Path(__file__).resolve().parents[1] / "web"
# The H5's app id for the development WeChat sign-in: the local WeChat fake accepts any app id.
LOCAL_MEMBER_APP_ID = "wx-local-h5"


@dataclass(frozen=True)
class Frontend:
    prefix: str  # "/console/"
    dist: Path
    config: dict[str, object]


FRONTENDS = (
    Frontend("/console/", WEB / "console" / "dist", {"apiBaseUrl": "", "stage": "local", "auth": {"mode": "dev"}}),
    Frontend(
        "/m/",
        WEB / "member" / "dist",
        {"apiBaseUrl": "", "stage": "local", "auth": {"mode": "dev", "appId": LOCAL_MEMBER_APP_ID}},
    ),
)


def frontend_for(path: str) -> Frontend | None:
    bare = path.split("?", 1)[0]
    for frontend in FRONTENDS:
        if bare == frontend.prefix.rstrip("/") or bare.startswith(frontend.prefix):
            return frontend
    return None


def serve(frontend: Frontend, path: str) -> HttpAnswer:
    bare = path.split("?", 1)[0]
    if bare == frontend.prefix.rstrip("/"):
        return HttpAnswer(308, {"Location": frontend.prefix}, b"")
    relative = bare[len(frontend.prefix) :]
    if relative == "config.json":
        headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
        return HttpAnswer(200, headers, json.dumps(frontend.config).encode())
    index = frontend.dist / "index.html"
    if not index.is_file():
        message = f"{frontend.prefix} is not built: run `make web` (make run builds it)."
        return HttpAnswer(503, {"Content-Type": "text/plain; charset=utf-8"}, message.encode())
    root = frontend.dist.resolve()
    candidate = (frontend.dist / relative).resolve()
    if relative and candidate.is_file() and candidate.is_relative_to(root):
        kind = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        hashed = relative.startswith("assets/")
        cache = "public, max-age=31536000, immutable" if hashed else "no-cache"
        return HttpAnswer(200, {"Content-Type": kind, "Cache-Control": cache}, candidate.read_bytes())
    if relative.startswith("assets/") or Path(relative).suffix:
        return HttpAnswer(404, {"Content-Type": "text/plain; charset=utf-8"}, b"Not found")
    # Any other path is one of the app's routes (a deep link, a reload): the app decides.
    headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"}
    return HttpAnswer(200, headers, index.read_bytes())
