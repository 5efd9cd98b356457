"""Mint a staff token from Siyu's own staff issuer (every stage has it; WeCom sign-in issues its
tokens too): how operators give staff access without a sign-in, e.g. the first admin of a tenant
before its WeCom corp is set up, in a stage without Cognito (AWS China).

    python -m ops.staff_tokens --stage prod --tenant brand-1 --staff alice@brand-1 --roles admin,manager

prints the token (valid one hour by default, twelve at most) on standard output. It reads the
stage's signing seed from Secrets Manager with the operator's own AWS credentials (profile, region:
boto3's usual chain, or ``--region``), so whoever may run it may read that secret: grant
``secretsmanager:GetSecretValue`` on it to the operators' role only (and ``PutSecretValue`` to
those who rotate). A single token cannot be revoked before it expires; a rotation finished at once
invalidates every token issued so far.

Rotating the staff signing key (docs/operations.md) is two commands, normally 12 hours apart:

    python -m ops.staff_tokens --stage prod --rotate            # a new signing key; the old one still verifies
    python -m ops.staff_tokens --stage prod --finish-rotation   # the old key verifies nothing (within 5 min)

Seeds are generated and moved here, never printed: only key ids are shown.

Against the local stack: ``--stage local --endpoint-url http://127.0.0.1:<emulator port>``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import string
import sys
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from shared.auth.principal import StaffPrincipal
from shared.auth.staff_keys import (
    CURRENT_SEED,
    PREVIOUS_SEED,
    STAFF_AUDIENCE,
    derive_signing_key,
    key_ring,
    staff_issuer_name,
    staff_keys_secret_name,
)
from shared.auth.tokens import STAFF_TOKEN_MAX_TTL_SECONDS, sign_staff_token

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Stage = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z0-9-]+$")]
Role = Literal["admin", "manager", "agent", "guide"]
SEED_ALPHABET = string.ascii_letters + string.digits  # as the stack's generator makes them
SEED_LENGTH = 64
SECRET_OUTPUT = "StaffSigningKeysSecretArn"  # noqa: S105 - the name of the platform stack's output naming the secret


class MintRequest(BaseModel):
    """What an operator asks for; the same rules as the local stack's dev-token route."""

    model_config = ConfigDict(extra="forbid", strict=True)

    stage: Stage
    tenant_id: Identifier
    staff_id: Identifier
    roles: list[Role] = Field(min_length=1)
    ttl_seconds: int = Field(default=3600, gt=0, le=STAFF_TOKEN_MAX_TTL_SECONDS)


def mint(
    stage: str,
    tenant_id: str,
    staff_id: str,
    roles: list[str],
    ttl_seconds: int = 3600,
    *,
    secret_arn: str | None = None,
    endpoint_url: str | None = None,
    region: str | None = None,
) -> str:
    """A staff token for ``stage``, signed with its current staff key (``ValueError`` on bad input).

    Without ``secret_arn``, the stage's secret is the ``StaffSigningKeysSecretArn`` output of its
    stacks or, failing that (the local stack has no CloudFormation), the secret named
    ``siyu-<stage>/staff-token-keys``."""
    try:
        request = MintRequest.model_validate(
            {"stage": stage, "tenant_id": tenant_id, "staff_id": staff_id, "roles": roles, "ttl_seconds": ttl_seconds}
        )
    except ValidationError as error:
        raise ValueError(_reasons(error)) from None
    secret = _StageSecret(request.stage, secret_arn, endpoint_url, region).read()
    principal = StaffPrincipal(tenant_id=request.tenant_id, staff_id=request.staff_id, roles=frozenset(request.roles))
    return sign_staff_token(
        key_ring(secret)[0],
        principal,
        issuer=staff_issuer_name(request.stage),
        audience=STAFF_AUDIENCE,
        ttl_seconds=request.ttl_seconds,
    )


def rotate(
    stage: str, *, secret_arn: str | None = None, endpoint_url: str | None = None, region: str | None = None
) -> tuple[str, str]:
    """Rotation, step 1: a new random signing seed; the current one becomes the previous seed, so
    tokens it signed keep verifying. Returns (the new key id, the previous key id)."""
    stored = _StageSecret(stage, secret_arn, endpoint_url, region)
    value = stored.read()
    if value.get(PREVIOUS_SEED):
        raise ValueError("a rotation is under way: finish it (--finish-rotation) before starting another")
    current = key_ring(value)[0]  # refuses a secret without a usable seed before anything is written
    seed = "".join(secrets.choice(SEED_ALPHABET) for _ in range(SEED_LENGTH))
    stored.write({**value, CURRENT_SEED: seed, PREVIOUS_SEED: value[CURRENT_SEED]})
    return derive_signing_key(seed).kid, current.kid


def finish_rotation(
    stage: str, *, secret_arn: str | None = None, endpoint_url: str | None = None, region: str | None = None
) -> str:
    """Rotation, step 2: the previous seed is removed; within five minutes every verifier refuses
    the tokens it signed. Returns the removed key id."""
    stored = _StageSecret(stage, secret_arn, endpoint_url, region)
    value = stored.read()
    ring = key_ring(value)
    if len(ring) < 2:
        raise ValueError("no rotation is under way: the secret holds one signing seed")
    stored.write({name: seed for name, seed in value.items() if name != PREVIOUS_SEED})
    return ring[1].kid


def operator_session(region: str | None) -> Any:
    """The operator's own AWS session (profile, credentials), not the functions' shared clients."""
    import boto3

    return boto3.session.Session(region_name=region)


class _StageSecret:
    """The stage's staff keys secret, read and written with the operator's own credentials."""

    def __init__(self, stage: str, secret_arn: str | None, endpoint_url: str | None, region: str | None) -> None:
        self.session = operator_session(region)
        self.endpoint_url = endpoint_url
        self.secret_id = secret_arn or self._find(stage)

    def read(self) -> dict[str, Any]:
        client = self.session.client("secretsmanager", endpoint_url=self.endpoint_url)
        try:
            value = json.loads(client.get_secret_value(SecretId=self.secret_id)["SecretString"])
        except client.exceptions.ResourceNotFoundException:
            raise ValueError(
                f"no staff keys secret {self.secret_id!r}: Siyu issues staff tokens only in stages without "
                "Cognito (AWS China); check the stage, region and account, or pass --secret-arn"
            ) from None
        if not isinstance(value, dict):
            raise ValueError(f"{self.secret_id} does not hold a JSON object")
        return value

    def write(self, value: dict[str, Any]) -> None:
        client = self.session.client("secretsmanager", endpoint_url=self.endpoint_url)
        client.put_secret_value(SecretId=self.secret_id, SecretString=json.dumps(value))

    def _find(self, stage: str) -> str:
        """The ``StaffSigningKeysSecretArn`` output of the stage's stacks, else the conventional name
        (the local stack has no CloudFormation, and is not asked)."""
        if stage != "local":
            cloudformation = self.session.client("cloudformation", endpoint_url=self.endpoint_url)
            for page in cloudformation.get_paginator("describe_stacks").paginate():
                for stack in page["Stacks"]:
                    if stack["StackName"] == f"Siyu-{stage}" or stack["StackName"].startswith(f"Siyu-{stage}-"):
                        for output in stack.get("Outputs", []):
                            if output["OutputKey"] == SECRET_OUTPUT:
                                return str(output["OutputValue"])
        return staff_keys_secret_name(stage)


def _reasons(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
        for item in error.errors(include_url=False, include_input=False)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.staff_tokens", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", required=True, help="dev, prod, or local")
    parser.add_argument("--tenant", help="the tenant the staff member works for")
    parser.add_argument("--staff", help="the staff member's id (the token's sub)")
    parser.add_argument("--roles", help="comma-separated: admin, manager, agent, guide")
    parser.add_argument("--ttl", type=int, default=3600, help=f"seconds, at most {STAFF_TOKEN_MAX_TTL_SECONDS}")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--rotate", action="store_true", help="rotation step 1: a new signing key")
    action.add_argument("--finish-rotation", action="store_true", help="rotation step 2: drop the previous key")
    parser.add_argument("--secret-arn", help="the staff keys secret (default: found from the stage's stacks)")
    parser.add_argument("--endpoint-url", help="an AWS endpoint (the local stack's emulator)")
    parser.add_argument("--region", help="the stage's region (default: the AWS profile's)")
    arguments = parser.parse_args(argv)
    where = {"secret_arn": arguments.secret_arn, "endpoint_url": arguments.endpoint_url, "region": arguments.region}
    try:
        if arguments.rotate:
            new, previous = rotate(arguments.stage, **where)
            print(f"signing key {new}; previous key {previous} verifies until --finish-rotation")
            return 0
        if arguments.finish_rotation:
            print(f"removed key {finish_rotation(arguments.stage, **where)}")
            return 0
        if not (arguments.tenant and arguments.staff and arguments.roles):
            parser.error("minting a token needs --tenant, --staff and --roles")
        roles = [role.strip() for role in arguments.roles.split(",") if role.strip()]
        token = mint(arguments.stage, arguments.tenant, arguments.staff, roles, arguments.ttl, **where)
    except ValueError as error:
        parser.error(str(error))  # exits with status 2
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
