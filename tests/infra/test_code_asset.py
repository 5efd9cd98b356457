"""The functions' code asset, as the session synth staged it: services/ and shared/ and nothing
else (no dotfile or dot-directory at any depth), with bytecode for Lambda's Python 3.13 that a
read-only /var/task can load as shipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra import functions
from infra.functions import CODE_DIRS, CodeBundling, code_asset_hash, code_files, lambda_python
from infra.layers import ROOT
from tests.infra.conftest import Synthesized, resources

UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, check_source off


@pytest.fixture(scope="module")
def handlers(template: dict[str, Any]) -> dict[str, str]:
    """Each function's handler module and the S3 key of its code."""
    return {
        function["Properties"]["Handler"].rsplit(".", 1)[0]: function["Properties"]["Code"]["S3Key"]
        for _, function in resources(template, "AWS::Lambda::Function")
        if function["Properties"].get("Runtime") == "python3.13"
        and function["Properties"]["Handler"].split(".", 1)[0] in CODE_DIRS  # not CDK's BucketDeployment
    }


@pytest.fixture(scope="module")
def asset(handlers: dict[str, str], synthesized: Synthesized) -> Path:
    """The staged directory of the session synth that the functions of every stack deploy."""
    (key,) = set(handlers.values())  # one asset: every stack deploys the same sources
    staged = synthesized.outdir / f"asset.{key.removesuffix('.zip')}"
    assert staged.is_dir(), f"no staged asset for {key}"
    return staged


def shipped_sources() -> list[Path]:
    return sorted(
        path.relative_to(ROOT)
        for top in ("services", "shared")
        for path in (ROOT / top).rglob("*.py")
        if not {"local", "__pycache__"} & set(path.relative_to(ROOT).parts)
    )


def test_every_function_deploys_the_one_code_asset_with_its_handler(handlers: dict[str, str], asset: Path) -> None:
    assert len(handlers) > 10
    for module in handlers:
        assert (asset / (module.replace(".", "/") + ".py")).is_file(), module


def test_the_asset_holds_the_services_and_shared_sources_as_they_are(asset: Path) -> None:
    sources = shipped_sources()
    assert len(sources) > 100
    for source in sources:
        assert (asset / source).read_bytes() == (ROOT / source).read_bytes(), source
    assert sorted(p.relative_to(asset) for p in asset.rglob("*.py")) == sources


def test_the_asset_holds_nothing_else(asset: Path) -> None:
    assert sorted(p.name for p in asset.iterdir()) == ["services", "shared"]
    names = {part for path in asset.rglob("*") for part in path.relative_to(asset).parts}
    assert not [name for name in names if name.startswith(".")]
    assert "local" not in names
    assert "tests" not in names
    assert not [p for p in asset.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")]


def test_every_source_ships_bytecode_that_lambda_loads_without_checking(asset: Path) -> None:
    python = lambda_python()
    if python is None:
        pytest.skip("no Python 3.13 on this machine: the asset ships sources only")
    for source in shipped_sources():
        pyc = asset / source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc"
        header = pyc.read_bytes()[:16]
        assert header[:4].hex() == python.magic, source
        # Unchecked: Lambda's zip timestamps never make it stale, so it is never recompiled.
        assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH, source
    assert len(list(asset.rglob("*.pyc"))) == len(shipped_sources())


def test_without_python_313_the_sources_ship_alone_under_another_hash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Synth still succeeds on a machine without 3.13, says so, and does not reuse the hash of an
    asset with bytecode (an upload from a machine with 3.13 would otherwise be taken for it)."""
    monkeypatch.setattr(functions, "python_candidates", lambda: [str(tmp_path / "python3.13")])
    monkeypatch.setattr(functions, "uv_python", lambda: "")
    lambda_python.cache_clear()
    try:
        assert lambda_python() is None
    finally:
        lambda_python.cache_clear()
    assert "warning: no Python 3.13 found" in capsys.readouterr().err
    files = code_files()
    assert CodeBundling(files, None).try_bundle(str(tmp_path / "out"), image=None)  # type: ignore[arg-type]
    shipped = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert shipped == sorted(files)
    with_bytecode = functions.LambdaPython("python3.13", "f30d0d0a")
    assert code_asset_hash(files, None) != code_asset_hash(files, with_bytecode)


def test_no_dotfile_or_dot_directory_ships_at_any_depth(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A working tree's dotfiles (.gitignore, a stray .env, a virtualenv's .venv/.lock, caches)
    never reach the asset, wherever they are."""
    for path in (
        "services/a/handlers/api.py",
        "services/.env",
        "services/a/.gitignore",
        "services/a/.venv/.lock",
        "services/a/.venv/lib/site.py",
        "services/a/handlers/.mypy_cache/x.json",
        "shared/.ruff_cache/y.py",
        "shared/deep/er/.secret.py",
        "shared/deep/er/kept.py",
        "shared/local/skipped.py",
        "shared/__pycache__/z.cpython-313.pyc",
    ):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x = 1\n")
    monkeypatch.setattr(functions, "ROOT", tmp_path)
    assert code_files() == [Path("services/a/handlers/api.py"), Path("shared/deep/er/kept.py")]


def test_the_staged_asset_holds_no_dotfile(asset: Path) -> None:
    assert list(asset.rglob(".*")) == []
