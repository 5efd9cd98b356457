"""The synthesized template every infrastructure test reads: synthesized once per session, as a
synth costs seconds of Node start-up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import assertions

from app import build_app


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Synthesize once per session: a synth costs seconds of Node start-up."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = build_app("prod", str(outdir))
    stack = app.node.find_child("Siyu-prod")
    data = dict(assertions.Template.from_stack(stack).to_json())  # type: ignore[arg-type]
    app.synth()
    data["__metadata__"] = json.loads((Path(outdir) / "Siyu-prod.metadata.json").read_text())
    return data


def resources(template: dict[str, Any], kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == kind:
            yield logical_id, resource


def refs(value: Any) -> set[str]:
    """Logical ids a CloudFormation value refers to."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value:
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            found.add(value["Fn::GetAtt"][0])
        for inner in value.values():
            found |= refs(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= refs(inner)
    return found
