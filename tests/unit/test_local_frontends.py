"""The local stack serves each built frontend as CloudFront does: files with their type and cache
policy, the app's index for its routes (deep links, the base with a query), 404 for a missing file,
nothing outside the build (path traversal) or of its bookkeeping (Vite's manifest), config.json,
and the deployed security headers on every answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.web_spec import ASSET_CACHE_CONTROL
from local import frontends
from local.frontends import frontend_for, serve
from local.gateway import HttpAnswer


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dist = tmp_path / "member" / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / ".vite").mkdir()
    (dist / "index.html").write_text("<!doctype html><title>H5</title>")
    (dist / "assets" / "index-1a2b.js").write_text("export {};")
    (dist / ".vite" / "manifest.json").write_text("{}")
    (tmp_path / "secret.txt").write_text("outside the build")
    monkeypatch.setattr(frontends, "WEB", tmp_path)
    return dist


def _get(target: str) -> HttpAnswer:
    local = frontend_for(target)
    assert local is not None, target
    return serve(local, target)


def test_files_routes_and_the_base_with_its_query(built: Path) -> None:
    asset = _get("/m/assets/index-1a2b.js")
    assert (asset.status, asset.body) == (200, b"export {};")
    assert asset.headers["Content-Type"] in ("text/javascript", "application/javascript")
    assert asset.headers["Cache-Control"] == ASSET_CACHE_CONTROL
    for route in ("/m/", "/m/scan?tenant=t1&scene=abc", "/m?tenant=t1", "/m/cases/c1"):
        page = _get(route)
        assert (page.status, page.headers["Content-Type"]) == (200, "text/html; charset=utf-8"), route
        assert page.body.startswith(b"<!doctype html>")
        assert page.headers["Cache-Control"] == "no-cache"


def test_missing_outside_and_bookkeeping_files_are_not_served(built: Path) -> None:
    for target in ("/m/assets/gone.js", "/m/favicon.svg", "/m/../secret.txt", "/m/.vite/manifest.json"):
        answer = _get(target)
        assert answer.status == 404, target
        assert b"outside the build" not in answer.body


def test_config_says_same_origin_and_development_sign_in(built: Path) -> None:
    config = json.loads(_get("/m/config.json").body)
    assert config == {"apiBaseUrl": "", "stage": "local", "auth": {"mode": "dev", "appId": "wx-local-h5"}}
    console = frontend_for("/console/config.json")
    assert console is not None
    assert json.loads(serve(console, "/console/config.json").body)["auth"] == {"mode": "dev"}


def test_every_answer_carries_the_deployed_security_headers(built: Path) -> None:
    for target in ("/m/", "/m/assets/index-1a2b.js", "/m/config.json", "/m/assets/gone.js"):
        headers = _get(target).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"], target
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in headers  # plain http locally


def test_an_unbuilt_app_says_how_to_build_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frontends, "WEB", tmp_path)
    answer = _get("/console/")
    assert answer.status == 503
    assert b"make web" in answer.body


def test_the_api_and_other_paths_are_not_the_frontends() -> None:
    for target in ("/v1/health", "/mobile", "/consoles/x", "/"):
        assert frontend_for(target) is None, target
