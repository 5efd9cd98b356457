"""The file store's bucket (infra/files.py): private, encrypted, TLS only, expiring, and reached
only by the functions of services that declare ``files=True``, each on its own prefix (and, read
only, the prefixes it declares in ``reads_files``)."""

from __future__ import annotations

import json
from typing import Any

from services.registry import SERVICES
from shared.files import RETENTION_DAYS
from tests.infra.conftest import imported, refs, resources

FILE_SERVICES = {service.name for service in SERVICES if service.files}
READS = {service.name: service.reads_files for service in SERVICES if service.files}


def _bucket(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    found = [(lid, r) for lid, r in resources(template, "AWS::S3::Bucket") if lid.startswith("Files")]
    assert len(found) == 1, [lid for lid, _ in found]
    return found[0]


def test_the_bucket_is_private_encrypted_and_expires_its_files(template: dict[str, Any]) -> None:
    logical_id, bucket = _bucket(template)
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    encryption = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    (rule,) = properties["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == RETENTION_DAYS
    assert rule["Status"] == "Enabled"
    assert rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    cors = properties["CorsConfiguration"]["CorsRules"][0]
    assert sorted(cors["AllowedMethods"]) == ["GET", "PUT"]
    assert "*" not in json.dumps(cors["AllowedOrigins"])
    policies = [
        p for _, p in resources(template, "AWS::S3::BucketPolicy") if logical_id in refs(p["Properties"]["Bucket"])
    ]
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert any(
        s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    ), "TLS only"


def test_only_file_services_reach_the_bucket_each_on_its_own_prefix(
    template: dict[str, Any], templates: dict[str, dict[str, Any]]
) -> None:
    assert {"contacts"} <= FILE_SERVICES
    bucket_id, _ = _bucket(template)
    reaching: dict[str, list[Any]] = {}
    for logical_id, policy in resources(template, "AWS::IAM::Policy"):
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            resource = statement.get("Resource")
            if bucket_id in imported(templates, resource) | refs(resource):
                reaching.setdefault(logical_id, []).append(statement)
    assert reaching, "no function may use the files bucket"
    for logical_id, statements in reaching.items():
        service = next((name for name in FILE_SERVICES if logical_id.lower().startswith(name)), None)
        assert service is not None, f"{logical_id} reaches the files bucket"
        for statement in statements:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if not any(action.startswith("s3:") for action in actions):
                continue
            resources_ = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            tails = sorted(resource["Fn::Join"][1][-1] for resource in resources_)
            if sorted(actions) == ["s3:GetObject", "s3:PutObject"]:
                assert tails == [f"/{service}/*"], (logical_id, tails)  # its own prefix only
            else:  # the other services' prefixes it declares it reads, read only
                assert actions == ["s3:GetObject"], (logical_id, actions)
                assert tails == sorted(f"/{prefix}*" for prefix in READS[service]), (logical_id, tails)


def test_contacts_may_read_the_other_services_export_parts_and_nothing_else_of_theirs() -> None:
    assert READS["contacts"] == ("points/exports/", "cases/exports/", "campaigns/exports/")
    # wecom reads the recipients outreach writes for a 群发, and nothing else of outreach's.
    assert READS["wecom"] == ("outreach/dispatches/",)
    for service, prefixes in READS.items():
        assert all(not prefix.startswith(f"{service}/") for prefix in prefixes)
        if service != "wecom":
            assert all(prefix.endswith("/exports/") for prefix in prefixes)


def test_file_services_functions_are_told_the_bucket(template: dict[str, Any]) -> None:
    for _, function in resources(template, "AWS::Lambda::Function"):
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        handler = str(function["Properties"].get("Handler", ""))
        service = handler.split(".")[1] if handler.startswith("services.") else None
        if service in FILE_SERVICES:
            assert "SIYU_FILES_BUCKET" in variables, handler
        else:
            assert "SIYU_FILES_BUCKET" not in variables, handler
