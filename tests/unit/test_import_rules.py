"""Imports flow one way (docs: engineering notes, "Shape of the code"). Every module is parsed,
never imported, so a violation anywhere is found, including imports deferred into functions."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "shared", "local", "infra", "ops")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path, modules: set[str]) -> Iterator[str]:
    source = path.read_text(encoding="utf-8")
    return _imports_in(source, _module_name(path), modules, is_package=path.name == "__init__.py")


def _imports_in(source: str, module: str, modules: set[str], *, is_package: bool = False) -> Iterator[str]:
    """Every module a file imports: ``from a import b`` is ``a.b`` when that is a module, else ``a``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules]
            yield from submodules or [base]


def _modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield _module_name(path), path


def _under(name: str, pattern: str) -> bool:
    return re.fullmatch(pattern, name) is not None


# (rule, which modules it applies to, which imports it forbids) as regular expressions on names.
RULES = (
    ("a handler never imports a DAL", r"services\.\w+\.handlers(\..+)?", r"services\.\w+\.dal(\..+)?"),
    ("a DAL never imports logic", r"services\.\w+\.dal(\..+)?", r"services\.\w+\.logic(\..+)?"),
    ("shared/ never imports a service", r"shared(\..+)?", r"services(\..+)?"),
    ("services/ and shared/ never import the local stack", r"(services|shared)(\..+)?", r"local(\..+)?"),
    ("infra/ never imports the local stack", r"infra(\..+)?", r"local(\..+)?"),
    ("nothing deployed imports the operator's commands", r"(services|shared|infra)(\..+)?", r"ops(\..+)?"),
)


def _violations_in(imported: set[str], forbidden: str) -> list[str]:
    return sorted(name for name in imported if _under(name, forbidden))


def _violations(applies_to: str, forbidden: str) -> list[str]:
    found = set()
    modules = {module for module, _ in _modules()}
    for module, path in _modules():
        if not _under(module, applies_to):
            continue
        for imported in _imported(path, modules):
            if _under(imported, forbidden):
                found.add(f"{module} imports {imported}")
    return sorted(found)


def test_the_rules_see_the_modules_they_guard() -> None:
    names = {module for module, _ in _modules()}
    assert any(_under(name, RULES[0][1]) for name in names), "no handler modules found: the rules would pass vacuously"
    assert any(_under(name, RULES[1][1]) for name in names), "no DAL modules found: the rules would pass vacuously"
    assert {"shared.http", "infra.stack", "local.gateway"} <= names


def test_relative_and_deferred_imports_count() -> None:
    source = "from ..dal import cases, Filters\ndef later():\n    from services.points.dal import Ledger\n"
    found = set(_imports_in(source, "services.cases.handlers.api", {"services.cases.dal.cases"}))
    assert found == {"services.cases.dal.cases", "services.points.dal"}
    assert _violations_in(found, RULES[0][2]) == ["services.cases.dal.cases", "services.points.dal"]


@pytest.mark.parametrize(("rule", "applies_to", "forbidden"), RULES, ids=[rule[0] for rule in RULES])
def test_imports_flow_one_way(rule: str, applies_to: str, forbidden: str) -> None:
    violations = _violations(applies_to, forbidden)
    assert not violations, f"{rule}:\n  " + "\n  ".join(violations)


def test_the_outbox_publisher_starts_without_pydantic_boto3_or_the_event_models() -> None:
    """The publisher is cold-started on the path of every event: it needs the outbox item's kind,
    logging and boto3's client (created on its first batch), nothing of the writers' machinery."""
    import subprocess
    import sys

    heavy = ("pydantic", "boto3", "shared.events.catalog", "shared.dynamo")
    script = f"import sys, shared.publisher; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    answer = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert answer.stdout.strip() == ""
