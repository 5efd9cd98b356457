"""A tenant's WeCom corps: the public part in the table, the secret part in Secrets Manager.

Items: ``T#{t}#WECOM / CORP#{corp_id}`` (corp id, agent id, brand, which secrets are set),
``CORP#{corp_id} / TENANT`` (the corp's one tenant: a corp cannot be claimed by two tenants) and
``WECOM#TENANTS / {tenant_id}`` (the tenants with a corp: the nightly jobs run for each).

Secrets: one secret per tenant, ``siyu-<stage>/wecom/<tenant_id>``, whose JSON maps each corp id
to its callback token, EncodingAESKey and app secrets. Reads are cached five minutes per container
(``shared.auth.keys``); the callback door re-reads once when a signature does not match the cached
token (a set-up just changed it). In the local stack the emulator holds the secret.
"""

from __future__ import annotations

import json
from typing import Any

from services.wecom.dal.table import table, tenant_pk
from services.wecom.models import WeComCredentials
from shared import aws, dynamo
from shared.auth import keys
from shared.clock import now_rfc3339
from shared.dynamo import Transaction
from shared.errors import Conflict
from shared.settings import get_settings

CORP_PREFIX = "CORP#"
TENANTS_PK = "WECOM#TENANTS"


def _taken() -> Conflict:
    return Conflict("This WeCom corp is set up by another tenant.", reason="corp_taken")


def tenants() -> list[str]:
    """Every tenant with a corp set up (one partition: the nightly jobs run for each)."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": dynamo.serialize({":p": TENANTS_PK}),
    }
    return [str(item["sk"]) for item in dynamo.query_pages(request)]


def secret_name(tenant_id: str) -> str:
    return f"siyu-{get_settings().stage}/wecom/{tenant_id}"


def corps(tenant_id: str) -> list[dict[str, Any]]:
    """The tenant's corps (public part), in corp id order."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": dynamo.serialize({":p": tenant_pk(tenant_id), ":s": CORP_PREFIX}),
    }
    return list(dynamo.query_pages(request))


def owner_of_corp(corp_id: str) -> str | None:
    item = dynamo.get_item(table(), {"pk": f"CORP#{corp_id}", "sk": "TENANT"})
    return str(item["tenant_id"]) if item else None


def stored_secrets(tenant_id: str, *, refresh: bool = False) -> dict[str, dict[str, Any]]:
    """Corp id → its secret part ({} when the tenant has stored none)."""
    try:
        return dict(keys.secret_json(secret_name(tenant_id), refresh=refresh))
    except Exception as error:
        if _not_found(error):
            return {}
        raise


def _not_found(error: Exception) -> bool:
    response = getattr(error, "response", None) or {}
    return bool(response.get("Error", {}).get("Code") == "ResourceNotFoundException")


def save(tenant_id: str, public: dict[str, Any], secret_part: dict[str, Any]) -> dict[str, Any]:
    """Store one corp: its claim first (409 when another tenant holds the corp, before anything
    else is written), then the secret (a corp listed must have its secret), then the public part."""
    corp_id = str(public["corp_id"])
    claim = Transaction(table())
    claim.put(
        {"pk": f"CORP#{corp_id}", "sk": "TENANT", "kind": "corp_claim", "tenant_id": tenant_id},
        condition="attribute_not_exists(pk) OR tenant_id = :t",
        values={":t": tenant_id},
        on_fail=_taken(),
    )
    claim.commit()
    existing = stored_secrets(tenant_id, refresh=True)
    _write_secret(tenant_id, {**existing, corp_id: secret_part})
    item = {
        "pk": tenant_pk(tenant_id),
        "sk": f"{CORP_PREFIX}{corp_id}",
        "kind": "corp",
        **public,
        "updated_at": now_rfc3339(),
    }
    tx = Transaction(table())
    tx.put(item)
    tx.put({"pk": TENANTS_PK, "sk": tenant_id, "kind": "wecom_tenant"})  # the nightly jobs' list
    tx.commit()
    keys.secret_json(secret_name(tenant_id), refresh=True)  # this container sees the new values at once
    return item


def _write_secret(tenant_id: str, value: dict[str, Any]) -> None:
    client = aws.client("secretsmanager")
    text = json.dumps(value, separators=(",", ":"))
    try:
        client.put_secret_value(SecretId=secret_name(tenant_id), SecretString=text)
    except Exception as error:
        if not _not_found(error):
            raise
        client.create_secret(
            Name=secret_name(tenant_id),
            SecretString=text,
            Description="WeCom callback token, EncodingAESKey and app secrets of a Siyu tenant's corps",
        )


def credentials(tenant_id: str, corp_id: str | None = None, *, refresh: bool = False) -> WeComCredentials | None:
    """The corp's credentials (the tenant's only or first corp when ``corp_id`` is None); None when
    the tenant has not set it up."""
    found = corps(tenant_id)
    public = next((c for c in found if corp_id is None or c["corp_id"] == corp_id), None)
    if public is None:
        return None
    return credentials_of(tenant_id, public, refresh=refresh)


def credentials_of(tenant_id: str, public: dict[str, Any], *, refresh: bool = False) -> WeComCredentials | None:
    secret = stored_secrets(tenant_id, refresh=refresh).get(str(public["corp_id"]))
    if not secret:
        return None
    return WeComCredentials(
        corp_id=str(public["corp_id"]),
        agent_id=int(public["agent_id"]) if public.get("agent_id") is not None else None,
        brand=public.get("brand"),
        token=str(secret["token"]),
        encoding_aes_key=str(secret["encoding_aes_key"]),
        secrets={str(k): str(v) for k, v in (secret.get("secrets") or {}).items()},
    )


# ---- welcome messages ---------------------------------------------------------------------------
WELCOME_PREFIX = "WELCOME#"


def welcome_key(scope: str, key: str | None) -> str:
    return f"{WELCOME_PREFIX}{scope}#{key or ''}"


def put_welcome(tenant_id: str, scope: str, key: str | None, message: dict[str, Any] | None) -> dict[str, Any] | None:
    item_key = {"pk": tenant_pk(tenant_id), "sk": welcome_key(scope, key)}
    if message is None:
        dynamo.client().delete_item(TableName=table(), Key=dynamo.serialize(item_key))
        return None
    item = {**item_key, "kind": "welcome", "scope": scope, "key": key, "message": message, "updated_at": now_rfc3339()}
    dynamo.client().put_item(TableName=table(), Item=dynamo.serialize(item))
    return item


def welcomes(tenant_id: str) -> list[dict[str, Any]]:
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": dynamo.serialize({":p": tenant_pk(tenant_id), ":s": WELCOME_PREFIX}),
    }
    return list(dynamo.query_pages(request))


def welcome_candidates(tenant_id: str, code: str | None, staff_id: str) -> list[dict[str, Any]]:
    """The welcomes that could apply to an add (code's, staff member's, tenant's), in one read."""
    wanted = [welcome_key("tenant", None), welcome_key("staff", staff_id)]
    if code:
        wanted.append(welcome_key("code", code))
    return list(dynamo.batch_get(table(), [{"pk": tenant_pk(tenant_id), "sk": sk} for sk in wanted], consistent=False))
