"""What the two web frontends are and how they are served, with no CDK in it: CloudFront
(infra/frontends.py) and the local stack (local/frontends.py) serve them from this one
description — the base paths, the landing page, ``config.json``, caching and security headers — so
the browser tests, which run against the local stack, see the headers a deployed page gets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CONFIG_FILE = "config.json"  # what each app fetches next to its index.html
ASSETS_DIR = "assets"  # Vite's content-hashed output
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"
PAGE_CACHE_CONTROL = "no-cache"  # index.html and config.json: a deploy shows at once
HSTS_MAX_AGE_SECONDS = 730 * 24 * 3600
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"
# Built files that are the build's bookkeeping, never served (Vite's manifest names source paths).
UNSERVED = (".vite/*",)


@dataclass(frozen=True)
class Frontend:
    name: str  # console, member: web/<name>/dist
    base: str  # the URL path and key prefix Vite builds it for: /<base>/

    @property
    def prefix(self) -> str:
        return f"/{self.base}/"


CONSOLE = Frontend("console", "console")
MEMBER = Frontend("member", "m")
FRONTENDS = (CONSOLE, MEMBER)
# The member H5's QR landing page: a channel code's URL is this page plus ?tenant=...&scene=<code>
# (services/campaigns/logic/codes.py), so SIYU_ENTRY_URL defaults to it.
MEMBER_LANDING = "scan"
# The console's sign-in redirect (the hosted UI sends the authorization code here).
CONSOLE_CALLBACK = "auth/callback"
WECOM_IMAGES = "https://*.qpic.cn"


def csp(*, connect: Sequence[str]) -> str:
    """The Content-Security-Policy of a frontend; ``connect``: the origins it fetches besides itself."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],  # Ant Design's CSS-in-JS injects <style> at run time
        # WeCom's contact way QR codes are images on WeCom's CDN, shown as WeCom answers them.
        "img-src": ["'self'", "data:", "blob:", WECOM_IMAGES],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *connect],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def security_headers(*, connect: Sequence[str], https: bool) -> dict[str, str]:
    """Every response's security headers, as CloudFront's response headers policy sets them."""
    headers = {
        "Content-Security-Policy": csp(connect=connect),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if https:  # HSTS over plain http is ignored by browsers; the local stack is http
        headers["Strict-Transport-Security"] = f"max-age={HSTS_MAX_AGE_SECONDS}; includeSubDomains"
    return headers


def runtime_config(*, api_url: str, stage: str, auth: Mapping[str, Any]) -> dict[str, Any]:
    """A frontend's ``config.json``: where the API is and how its users sign in."""
    return {"apiBaseUrl": api_url, "stage": stage, "auth": dict(auth)}
