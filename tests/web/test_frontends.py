"""The frontends build as CI builds them: the API client is current with the backend, both apps
type-check against it, their component tests pass, and each first view stays within its
JavaScript budget."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bench.web import FIRST_VIEWS, FirstView, measure
from local.openapi_export import local_document

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
GENERATOR = WEB / "scripts" / "generate-client.mjs"
BIN = WEB / "node_modules" / ".bin"
NODE = shutil.which("node") or "node"


def _check_client(document: dict[str, object], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    source = tmp_path / "openapi.json"
    source.write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return subprocess.run(
        [NODE, str(GENERATOR), "--from", str(source), "--check"], cwd=WEB, capture_output=True, text=True, check=False
    )


def test_the_committed_api_client_is_the_one_the_backend_generates(tmp_path: Path) -> None:
    checked = _check_client(local_document(), tmp_path)
    assert checked.returncode == 0, checked.stderr + "\n(run `make web-client` and commit web/shared/api/)"


def test_a_renamed_route_makes_the_client_stale(tmp_path: Path) -> None:
    document = local_document()
    paths = document["paths"]
    paths["/v1/people"] = paths.pop("/v1/contacts")  # a backend rename nobody regenerated for
    checked = _check_client(document, tmp_path)
    assert checked.returncode == 1
    assert "out of date" in checked.stderr


@pytest.mark.parametrize("app", ["console", "member"])
def test_the_app_type_checks_against_the_generated_client(app: str) -> None:
    checked = subprocess.run([str(BIN / "tsc"), "-p", app], cwd=WEB, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout[-4000:] + checked.stderr[-2000:]


def test_the_component_tests_pass() -> None:
    ran = subprocess.run(
        [str(BIN / "vitest"), "run", "--reporter=dot"], cwd=WEB, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stdout[-6000:] + ran.stderr[-2000:]


@pytest.mark.parametrize("view", FIRST_VIEWS, ids=lambda view: view.app)
def test_the_first_view_is_within_its_javascript_budget(view: object) -> None:
    measured = measure(view)  # type: ignore[arg-type]
    assert measured.files, "nothing measured: is web/ built (make web)?"
    assert measured.within_budget, (
        f"{measured.view.view}: {measured.gzipped_bytes / 1024:.1f} KB gzipped JavaScript "
        f"> {measured.view.budget_bytes // 1024} KB ({', '.join(measured.files)})"
    )


def test_the_budget_check_fails_a_view_over_its_budget() -> None:
    tight = FirstView(FIRST_VIEWS[1].app, "the landing page, against a 1 KB budget", FIRST_VIEWS[1].page_source, 1024)
    assert not measure(tight).within_budget
