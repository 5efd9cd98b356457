"""``make smoke STAGE=<stage> [URL=]``: after a deploy, prove the API and the event path work.

Signs in as staff, then in a throwaway tenant: creates a contact and reads it back; opens a case
on it, which succeeds once the cases service has heard of the contact over the bus (so the
outbox, stream, publisher, bus, rule, queue and consumer all work); then erases the contact
through the API's erasure route and waits for the erasure to reach the case the same way. It
exits 0 with one line per step, or 1 naming the step that failed and what the API answered.
The clean-up runs whatever failed before it.

Sign-in, by where the stage runs:
- local: the local stack's dev-token route, in a new tenant ``smoke-<random>``;
- AWS China: a staff token Siyu issues itself (``ops.staff_tokens.mint``), in a new tenant;
- AWS global: the Cognito smoke user (docs/operations.md says how to create it), whose tenant is
  fixed by its ``custom:tenant_id`` (``smoke``): its password and TOTP secret are in the secret
  ``siyu/<stage>/smoke-user``; it signs in with ADMIN_USER_PASSWORD_AUTH (IAM credentials, not a
  browser flow) and answers the MFA challenge with a code computed from the TOTP secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from ops import cli
from ops.target import OpsError, Target
from shared import aws

SMOKE_STAFF = "smoke"
SMOKE_ROLES = ["admin"]
TOKEN_TTL_SECONDS = 15 * 60
ERASED = "[erased]"  # what cases shows in place of an erased contact's subject
# Cases answers this until the contact's creation has reached it over the bus; anything else is a failure.
NOT_KNOWN_YET = (404, "unknown_contact")


class Api:
    def __init__(self, base: str, token: str = "") -> None:
        self.base = base
        self.token = token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310 - the API's URL
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                status, content = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
        except (urllib.error.URLError, OSError) as error:
            raise OpsError(f"{method} {self.base}{path}: no answer ({error})") from None
        try:
            return status, json.loads(content) if content else None
        except ValueError:
            return status, content[:200]


class Smoke:
    def __init__(self, api: Api, timeout_seconds: float) -> None:
        self.api = api
        self.timeout_seconds = timeout_seconds
        self.started = time.monotonic()

    def step(self, name: str, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        begun = time.monotonic()
        status, answer = self.api.call(method, path, body)
        if status != expect:
            raise OpsError(f"{name}: {method} {path} answered {status}, expected {expect}: {answer}")
        print(f"ok  {name} ({(time.monotonic() - begun) * 1000:.0f} ms)", flush=True)
        return answer

    def until(self, name: str, attempt: Callable[[], Any]) -> Any:
        """Retry ``attempt`` (None: not yet) until the event-driven side has caught up."""
        begun = time.monotonic()
        while True:
            if (value := attempt()) is not None:
                print(f"ok  {name} ({time.monotonic() - begun:.1f} s)", flush=True)
                return value
            if time.monotonic() - begun > self.timeout_seconds:
                raise OpsError(f"{name}: not done after {self.timeout_seconds:g} s (are the consumers failing?)")
            time.sleep(0.25)

    def run(self) -> None:
        self.step("health", "GET", "/v1/health")
        contact = self.step("create a contact", "POST", "/v1/contacts", {"name": "Smoke Check", "tags": ["smoke"]}, 201)
        contact_id = contact["contact_id"]
        case_id: str | None = None
        try:
            read = self.step("read it back", "GET", f"/v1/contacts/{contact_id}")
            if read.get("name") != "Smoke Check":
                raise OpsError(f"read it back: the contact reads {read}")
            case = self.until(
                "open a case on it (cases heard of the contact over the bus)", lambda: self._case(contact_id)
            )
            case_id = case["case_id"]
            self.step("read the case", "GET", f"/v1/cases/{case_id}")
        except OpsError:
            try:  # the clean-up still runs; the failure reported is the first one
                self.clean_up(contact_id, case_id)
            except OpsError as cleaning:
                print(f"clean-up failed too: {cleaning}", file=sys.stderr)
            raise
        self.clean_up(contact_id, case_id)

    def clean_up(self, contact_id: str, case_id: str | None) -> None:
        self.step("erase the contact", "DELETE", f"/v1/contacts/{contact_id}", expect=204)
        self.step("the contact is gone", "GET", f"/v1/contacts/{contact_id}", expect=404)
        if case_id is not None:
            self.until("the erasure reached the case over the bus", lambda: self._erased(case_id))

    def _case(self, contact_id: str) -> Any:
        status, answer = self.api.call(
            "POST", "/v1/cases", {"type": "inquiry", "subject": "Smoke check", "contact_id": contact_id}
        )
        if status == 201:
            return answer
        if (status, isinstance(answer, dict) and answer.get("reason")) == NOT_KNOWN_YET:
            return None
        raise OpsError(f"open a case: POST /v1/cases answered {status}: {answer}")

    def _erased(self, case_id: str) -> bool | None:
        status, answer = self.api.call("GET", f"/v1/cases/{case_id}")
        if status != 200:
            raise OpsError(f"read the erased case: GET /v1/cases/{case_id} answered {status}: {answer}")
        return True if answer.get("subject") == ERASED else None


# Sign-in ---------------------------------------------------------------------------------------
def sign_in(target: Target, api: Api) -> tuple[str, str]:
    """A staff (admin) token and the tenant it is for."""
    if target.is_local:
        tenant = f"smoke-{secrets.token_hex(4)}"
        status, answer = api.call(
            "POST", "/v1/auth/dev-token", {"tenant_id": tenant, "staff_id": SMOKE_STAFF, "roles": SMOKE_ROLES}
        )
        if status != 200:
            raise OpsError(f"sign in: POST /v1/auth/dev-token answered {status}: {answer}")
        return str(answer["token"]), tenant
    if target.is_china:
        try:
            from ops import staff_tokens
        except ImportError as missing:
            raise OpsError(
                f"China stages sign in with Siyu-issued staff tokens, and ops.staff_tokens fails: {missing}"
            ) from None
        tenant = f"smoke-{secrets.token_hex(4)}"
        try:
            token = staff_tokens.mint(
                target.stage,
                tenant,
                SMOKE_STAFF,
                SMOKE_ROLES,
                TOKEN_TTL_SECONDS,
                endpoint_url=target.endpoint,
                region=target.region,
            )
        except ValueError as error:
            raise OpsError(f"sign in: minting a staff token failed: {error}") from None
        return str(token), tenant
    return cognito_sign_in(target)


def cognito_sign_in(target: Target) -> tuple[str, str]:
    outputs = target.stack_outputs()
    pool, client = outputs.get("StaffUserPoolId"), outputs.get("StaffUserPoolClientId")
    if not pool or not client:
        raise OpsError(f"no StaffUserPoolId / StaffUserPoolClientId outputs in the stacks of Siyu-{target.stage}")
    secret_id = f"siyu/{target.stage}/smoke-user"
    try:
        user = json.loads(aws.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
    except aws.client("secretsmanager").exceptions.ResourceNotFoundException:
        raise OpsError(f"no secret {secret_id}: create the smoke user (docs/operations.md, 'Smoke')") from None
    idp = aws.client("cognito-idp")
    answer = idp.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]},
    )
    if answer.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
        answer = idp.admin_respond_to_auth_challenge(
            UserPoolId=pool,
            ClientId=client,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=answer["Session"],
            ChallengeResponses={"USERNAME": user["username"], "SOFTWARE_TOKEN_MFA_CODE": totp(user["totp_secret"])},
        )
    result = answer.get("AuthenticationResult")
    if not result:
        raise OpsError(f"the smoke user's sign-in ended in a {answer.get('ChallengeName')} challenge")
    token = str(result["IdToken"])  # the authorizer reads tenant and groups from the ID token
    return token, str(claims(token).get("custom:tenant_id", "?"))


def totp(secret: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238: the code an authenticator app shows for ``secret`` (base32) now."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((time.time() if at is None else at) // step))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def claims(token: str) -> dict[str, Any]:
    """A JWT's payload, unverified: only to say which tenant the smoke user is in."""
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def main() -> int:
    parser = cli.parser("Post-deploy check: sign in, create and read in a throwaway tenant, clean up.")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for each event-driven step")
    args = parser.parse_args()
    target = cli.target_of(args)
    api = Api(target.api())
    if not target.is_local and not api.base.startswith("https://"):
        raise OpsError(f"{api.base} is not HTTPS: a deployed stage is only checked over HTTPS")
    began = time.monotonic()
    api.token, tenant = sign_in(target, api)
    print(f"ok  signed in as {SMOKE_STAFF} in tenant {tenant} on {api.base}", flush=True)
    Smoke(api, args.timeout).run()
    print(f"smoke passed on {target.stage} in {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    cli.run(main)
