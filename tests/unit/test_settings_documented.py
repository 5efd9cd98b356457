"""Every ``SIYU_*`` variable the code reads is in the README's configuration table, and every
runtime setting can be set from one of them."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from shared.settings import Settings, parse_settings

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("services", "shared", "local", "infra")
# ``SIYU_TABLE_<SERVICE>``: a name the code builds from a prefix.
PLACEHOLDER = re.compile(r"<[A-Z_]+>$")
SETTINGS = {item.name for item in fields(Settings)}


def _named_in_code() -> dict[str, set[str]]:
    """Variable name (a prefix ends with "_") → the files naming it."""
    found: dict[str, set[str]] = {}
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for name in re.findall(r"\bSIYU_[A-Z0-9_]*[A-Z0-9_]", path.read_text(encoding="utf-8")):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def _documented() -> set[str]:
    """The names in the first column of the README's configuration table."""
    names: set[str] = set()
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        cells = line.split("|")
        if line.startswith("|") and len(cells) > 2:
            names |= {PLACEHOLDER.sub("", name) for name in re.findall(r"`([A-Z][A-Z0-9_<>]+)`", cells[1])}
    return names


def _is_documented(name: str, documented: set[str]) -> bool:
    return name in documented or any(doc.endswith("_") and name.startswith(doc) for doc in documented)


def test_the_table_is_found() -> None:
    documented = _documented()
    assert {"SIYU_STAGE", "SIYU_TABLE_"} <= documented
    assert _is_documented("SIYU_TABLE_CONTACTS", documented)
    assert not _is_documented("SIYU_NOT_A_SETTING", documented)


def test_every_variable_named_in_code_is_documented() -> None:
    documented = _documented()
    missing = {name: sorted(files) for name, files in _named_in_code().items() if not _is_documented(name, documented)}
    assert not missing, f"not in the README's configuration table: {missing}"


def test_every_setting_is_read_from_a_documented_variable() -> None:
    """Each field of Settings changes when some documented variable is set: none is a constant
    posing as configuration, and none is read from a name the README does not give."""
    documented = sorted(name for name in _documented() if not name.endswith("_"))
    defaults = parse_settings({})
    reachable: set[str] = set()
    for variable in documented:
        for value in ("7", "wechat", "fake", "https://example.com/x", "true"):
            try:
                changed = parse_settings({variable: value})
            except ValueError:
                continue
            reachable |= {name for name in SETTINGS if getattr(changed, name) != getattr(defaults, name)}
    prefixed = parse_settings({"SIYU_TABLE_X": "t", "SIYU_DLQ_Y": "q"})
    reachable |= {field for field in ("tables", "dead_letter_queues") if getattr(prefixed, field)}
    reachable |= {"region"}  # AWS_REGION, set by Lambda itself
    assert SETTINGS - reachable == set()
