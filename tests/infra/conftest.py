"""The synthesized templates every infrastructure test reads: the production stage for a global
region (environment-agnostic), synthesized once per session, as a synth costs seconds of Node.

Fixtures:

- ``synthesized``: the session's synth (its output directory, each stack's template and metadata);
- ``templates``: stack name (``Siyu-prod-platform``, ``Siyu-prod-cases``, ...) -> that stack's
  CloudFormation template, exactly as synthesized (no metadata: cfn-lint can read it as is);
- ``china``: region -> the same stage synthesized for each AWS China region (with an entry URL and
  alarm subscribers, so that what they add is linted and import-checked too);
- ``template``: one merged view, ``{"Resources": ..., "Outputs": ..., "__metadata__": ...}``, with
  every stack's resources under their own logical ids (the stacks give their constructs distinct
  names, so the ids are unique across the stage; a duplicate would be an error here, not a silent
  overwrite) and ``__metadata__`` the construct path -> metadata entries of every stack (cdk-nag's
  findings are there). A reference to another stack's resource is an ``Fn::ImportValue``, not a
  ``Ref``: follow it with ``imported``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app import build_app
from shared.manifest import Service

STAGE = "prod"
CHINA_REGIONS = ("cn-north-1", "cn-northwest-1")
# Set in the China synths, so one of them also proves SIYU_ENTRY_URL is settable through the stack
# (a China deployment serves its H5 entry page from a domain with an ICP licence).
CHINA_ENTRY_URL = "https://m.example.cn/scan"
# ...and who hears the alarms there: an address and a WeCom group robot (its webhook in a secret).
CHINA_ALARMS: dict[str, Any] = {
    "alarm_emails": ("oncall@example.cn",),
    "alarm_wecom_webhook_secret": "siyu/prod/wecom-alarm-webhook",
}
# ...and the frontends' ICP-filed domains, which a China stage requires (with IAM server certificates).
CHINA_DOMAINS: dict[str, Any] = {
    "console_domain": "console.example.cn",
    "console_certificate": "ASCAEXAMPLECONSOLE0001",
    "member_domain": "m.example.cn",
    "member_certificate": "ASCAEXAMPLEMEMBER00001",
}


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    templates: dict[str, dict[str, Any]]  # stack name -> template
    metadata: dict[str, dict[str, list[dict[str, Any]]]]  # stack name -> construct path -> entries

    def merged(self) -> dict[str, Any]:
        merged: dict[str, Any] = {"Resources": {}, "Outputs": {}, "__metadata__": {}}
        for stack, template in self.templates.items():
            for section in ("Resources", "Outputs"):
                for logical_id, value in template.get(section, {}).items():
                    if logical_id in merged[section]:
                        raise AssertionError(f"{section} {logical_id} of {stack} is in another stack too")
                    merged[section][logical_id] = value
            merged["__metadata__"].update(self.metadata[stack])
        return merged


def synthesize(
    outdir: Path,
    stage: str = STAGE,
    region: str | None = None,
    services: tuple[Service, ...] | None = None,
    **options: Any,
) -> Synthesized:
    """Synthesize the app once and read every stack back from the cloud assembly (a frontend whose
    build is missing, web/<app>/dist, is deployed as a placeholder page: the tests do not build web/)."""
    options.setdefault("web_placeholder", True)
    assembly = build_app(stage, str(outdir), services=services, region=region, **options).synth()
    templates: dict[str, dict[str, Any]] = {}
    metadata: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for stack in assembly.stacks:
        templates[stack.stack_name] = json.loads(Path(stack.template_full_path).read_text())
        manifest = json.loads((outdir / "manifest.json").read_text())["artifacts"][stack.id]
        found = dict(manifest.get("metadata") or {})
        if extra := manifest.get("additionalMetadataFile"):
            found.update(json.loads((outdir / extra).read_text()))
        metadata[stack.stack_name] = found
    return Synthesized(outdir, templates, metadata)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk.out"))


@pytest.fixture(scope="session")
def china(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Synthesized]:
    """The production stage synthesized for each AWS China region (once per session, on first use)."""
    return {
        region: synthesize(
            tmp_path_factory.mktemp(f"cdk.out.{region}"),
            region=region,
            entry_url=CHINA_ENTRY_URL,
            **CHINA_ALARMS,
            **CHINA_DOMAINS,
        )
        for region in CHINA_REGIONS
    }


@pytest.fixture(scope="session")
def templates(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return synthesized.templates


@pytest.fixture(scope="session")
def template(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.merged()


def resources(template: dict[str, Any], kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == kind:
            yield logical_id, resource


def refs(value: Any) -> set[str]:
    """Logical ids a CloudFormation value refers to (in its own stack; see ``imported``)."""
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


def imported(templates: dict[str, dict[str, Any]], value: Any) -> set[str]:
    """Logical ids a value refers to through other stacks' exports (``Fn::ImportValue``)."""
    exports = {
        output["Export"]["Name"]: refs(output["Value"])
        for template in templates.values()
        for output in template.get("Outputs", {}).values()
        if "Export" in output
    }
    found: set[str] = set()
    if isinstance(value, dict):
        if "Fn::ImportValue" in value and isinstance(value["Fn::ImportValue"], str):
            found |= exports.get(value["Fn::ImportValue"], set())
        for inner in value.values():
            found |= imported(templates, inner)
    elif isinstance(value, list):
        for inner in value:
            found |= imported(templates, inner)
    return found
