"""AWS China as well as the global partition: the stage synthesizes for cn-north-1, cn-northwest-1
and a global region, every template passes cfn-lint (errors) for its region, every ARN names its
partition, and nothing is used that China does not have (Cognito user pools: there Siyu's own
staff tokens, signed with a key derived from a generated secret, are the only ones; every stage has
that secret, for WeCom sign-in).

cfn-lint warnings are not failures: the only one CDK's output raises is W3005 (a ``DependsOn`` that
a ``GetAtt`` already implies: CDK makes each function depend on its role's policy as well as its
role, so the policy exists before the first invocation), which changes nothing at deploy time.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from services.platform.service import AUTHORIZER_HANDLER
from shared.auth.staff_keys import STAFF_AUDIENCE
from tests.infra.conftest import CHINA_REGIONS, STAGE, Synthesized, imported, refs, resources

GLOBAL_REGION = "us-east-1"
CFN_LINT = str(Path(sys.executable).parent / "cfn-lint")  # the dev environment's
STAFF_KEYS = "SIYU_STAFF_KEYS_SECRET_ARN"


def function(template: dict[str, Any], handler: str) -> tuple[str, dict[str, Any]]:
    functions = resources(template, "AWS::Lambda::Function")
    (found,) = [(i, f) for i, f in functions if f["Properties"]["Handler"] == handler]
    return found


def reads_secret(
    template: dict[str, Any], function_id: str, secret_id: str, templates: dict[str, dict[str, Any]] | None = None
) -> bool:
    """The function's role may read the secret (from another stack too, through its export, when
    the stacks' ``templates`` are given)."""
    role = refs(template["Resources"][function_id]["Properties"]["Role"])
    for _, policy in resources(template, "AWS::IAM::Policy"):
        if not refs(policy["Properties"]["Roles"]) & role:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            named = refs(statement["Resource"]) | (imported(templates, statement["Resource"]) if templates else set())
            if "secretsmanager:GetSecretValue" in actions and secret_id in named:
                return True
    return False


def staff_key_readers(template: dict[str, Any], templates: dict[str, dict[str, Any]], keys_id: str) -> list[str]:
    """Every function that may read the staff signing seed: the authorizer, the platform function
    (the JWKS) and the WeCom API (its sign-in issues staff tokens), and nothing else."""
    readers = [
        i for i, _ in resources(template, "AWS::Lambda::Function") if reads_secret(template, i, keys_id, templates)
    ]
    expected = [
        function(template, AUTHORIZER_HANDLER)[0],
        function(template, "services.platform.api.handler")[0],
        function(template, "services.wecom.handlers.api.handler")[0],
    ]
    assert sorted(readers) == sorted(expected)
    return readers


def cfn_lint(templates: list[Path], region: str) -> list[dict[str, Any]]:
    """cfn-lint's errors for the templates in the region (as operators run it: the CLI)."""
    linted = subprocess.run(
        [CFN_LINT, "--format", "json", "--regions", region, "--", *map(str, templates)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert linted.stdout.strip(), linted.stderr
    return [m for m in json.loads(linted.stdout) if m["Level"] == "Error"]


@pytest.fixture(scope="module")
def china_merged(china: dict[str, Synthesized]) -> dict[str, dict[str, Any]]:
    return {region: synthesized.merged() for region, synthesized in china.items()}


def test_the_stage_synthesizes_the_same_stacks_for_every_partition(
    templates: dict[str, Any], china: dict[str, Synthesized]
) -> None:
    for synthesized in china.values():
        assert set(synthesized.templates) == set(templates)


@pytest.fixture(scope="module")
def lint_errors(synthesized: Synthesized, china: dict[str, Synthesized]) -> dict[str, list[dict[str, Any]]]:
    """cfn-lint's errors per job, the jobs run side by side (each is seconds of CPU):
    ``global``, each China region, and ``global-in-china`` (the global platform stack linted for
    China, which must fail: the lint is not vacuous)."""
    jobs = {
        "global": (sorted(synthesized.outdir.glob("*.template.json")), GLOBAL_REGION),
        **{region: (sorted(s.outdir.glob("*.template.json")), region) for region, s in china.items()},
        "global-in-china": ([synthesized.outdir / f"Siyu-{STAGE}-platform.template.json"], "cn-north-1"),
    }
    assert all(
        len(files) == len(synthesized.templates) for name, (files, _) in jobs.items() if name != "global-in-china"
    )
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        found = pool.map(lambda job: cfn_lint(*job), jobs.values())
        return dict(zip(jobs, found, strict=True))


def test_every_template_passes_cfn_lint_for_its_region(lint_errors: dict[str, list[dict[str, Any]]]) -> None:
    checked = {name: errors for name, errors in lint_errors.items() if name != "global-in-china"}
    assert checked == {"global": [], **{region: [] for region in CHINA_REGIONS}}


def test_cfn_lint_knows_what_china_lacks(lint_errors: dict[str, list[dict[str, Any]]]) -> None:
    """The lint is not vacuous: the global platform stack, linted for China, fails on its user pool
    and on the frontends' origin access controls and CloudFront Functions (which the China flavour
    replaces with origin access identities and error responses, infra/frontends.py)."""
    errors = lint_errors["global-in-china"]
    assert {e["Rule"]["Id"] for e in errors} == {"E3006"}
    missing = {re.search(r"'(AWS::\w+::\w+)'", e["Message"]).group(1) for e in errors}  # type: ignore[union-attr]
    assert {kind for kind in missing if not kind.startswith("AWS::Cognito::")} == {
        "AWS::CloudFront::Function",
        "AWS::CloudFront::OriginAccessControl",
    }
    assert "AWS::Cognito::UserPool" in missing


def test_no_arn_names_its_partition_literally(templates: dict[str, Any], china: dict[str, Synthesized]) -> None:
    for synthesized in (Synthesized(Path(), templates, {}), *china.values()):
        for name, template in synthesized.templates.items():
            text = json.dumps(template)
            assert '"arn:aws:' not in text, name
            assert "arn:aws-cn:" not in text, name  # China's partition comes from the region, as a token or literal


def test_china_has_no_cognito_and_no_global_only_endpoint(china_merged: dict[str, dict[str, Any]]) -> None:
    for region, template in china_merged.items():
        kinds = {resource["Type"] for resource in template["Resources"].values()}
        assert not [kind for kind in kinds if kind.startswith("AWS::Cognito::")], region
        text = json.dumps(template["Resources"])
        assert "cognito-idp" not in text, region
        assert region in text  # built for the region, not environment-agnostic


def test_china_signs_staff_tokens_with_a_generated_secret(
    china_merged: dict[str, dict[str, Any]], china: dict[str, Synthesized]
) -> None:
    for region, template in china_merged.items():
        secrets = resources(template, "AWS::SecretsManager::Secret")
        (keys_id,) = [i for i, _ in secrets if i.startswith("StaffSigningKeys")]
        generated = template["Resources"][keys_id]["Properties"]["GenerateSecretString"]
        assert generated == {
            "ExcludePunctuation": True,
            "GenerateStringKey": "signing_seed",
            "PasswordLength": 64,
            "SecretStringTemplate": "{}",
        }, region
        authorizer_id, authorizer = function(template, AUTHORIZER_HANDLER)
        variables = authorizer["Properties"]["Environment"]["Variables"]
        assert refs(variables[STAFF_KEYS]) == {keys_id}
        assert variables["SIYU_STAFF_ISSUER"] == f"siyu-{STAGE}"
        assert variables["SIYU_STAFF_AUDIENCE"] == STAFF_AUDIENCE
        assert reads_secret(template, authorizer_id, keys_id), region
        # The platform function publishes the JWKS: it reads the same secret.
        platform_id, platform = function(template, "services.platform.api.handler")
        assert refs(platform["Properties"]["Environment"]["Variables"][STAFF_KEYS]) == {keys_id}
        assert reads_secret(template, platform_id, keys_id), region
        # Nothing else may read the signing seed but the WeCom API, which issues staff tokens.
        staff_key_readers(template, china[region].templates, keys_id)


def test_the_global_stage_keeps_cognito_beside_siyus_own_staff_issuer(
    template: dict[str, Any], templates: dict[str, dict[str, Any]]
) -> None:
    (pool_id,) = [i for i, _ in resources(template, "AWS::Cognito::UserPool")]
    (client_id,) = [i for i, _ in resources(template, "AWS::Cognito::UserPoolClient")]
    _, authorizer = function(template, AUTHORIZER_HANDLER)
    variables = authorizer["Properties"]["Environment"]["Variables"]
    issuer = json.dumps(variables["SIYU_STAFF_ISSUER"])
    assert "https://cognito-idp." in issuer
    assert {"AWS::Region", "AWS::URLSuffix", pool_id} <= refs(variables["SIYU_STAFF_ISSUER"])
    assert refs(variables["SIYU_STAFF_AUDIENCE"]) == {client_id}
    # Siyu's own issuer too (WeCom sign-in): the same generated seed as in China, read by the same few.
    (keys_id,) = [i for i, _ in resources(template, "AWS::SecretsManager::Secret") if i.startswith("StaffSigningKeys")]
    assert template["Resources"][keys_id]["Properties"]["GenerateSecretString"]["GenerateStringKey"] == "signing_seed"
    assert refs(variables[STAFF_KEYS]) == {keys_id}
    _, wecom_api = function(template, "services.wecom.handlers.api.handler")
    assert imported(templates, wecom_api["Properties"]["Environment"]["Variables"][STAFF_KEYS]) == {keys_id}
    staff_key_readers(template, templates, keys_id)


def test_china_deploys_the_same_functions_and_layers(
    template: dict[str, Any], china_merged: dict[str, dict[str, Any]]
) -> None:
    """So the import check (test_deployable_imports.py) of the global synth covers China too; it
    also checks the functions only the China synth has."""

    def shape(merged_template: dict[str, Any]) -> dict[str, Any]:
        return {
            i: (f["Properties"]["Handler"], json.dumps(f["Properties"].get("Layers")), f["Properties"]["Runtime"])
            for i, f in resources(merged_template, "AWS::Lambda::Function")
        }

    for region, china_template in china_merged.items():
        global_shape, china_shape = shape(template), shape(china_template)
        assert {i: china_shape.get(i) for i in global_shape} == global_shape, region
        # Only what the China synth's configuration adds: the WeCom alarm forwarder.
        assert [i for i in china_shape if i not in global_shape] == [
            i for i in china_shape if i.startswith("AlarmSubscriptionsAlarmForwarder")
        ], region


def test_cdk_nag_aws_solutions_checks_pass_in_china(china: dict[str, Synthesized]) -> None:
    for region, synthesized in china.items():
        problems = [
            (path, entry["data"])
            for stack_metadata in synthesized.metadata.values()
            for path, entries in stack_metadata.items()
            for entry in entries
            if entry["type"] in ("aws:cdk:error", "aws:cdk:warning")
        ]
        assert problems == [], region


def test_a_cdk_deploy_from_a_china_profile_needs_the_region(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without a region the app builds the global flavour, which China cannot deploy: refused."""
    from app import build_app

    monkeypatch.setenv("CDK_DEFAULT_REGION", "cn-northwest-1")
    with pytest.raises(SystemExit, match="region=cn-northwest-1"):
        build_app("dev", str(tmp_path))
