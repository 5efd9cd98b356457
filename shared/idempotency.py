"""Idempotency-Key support for creating POSTs: the key's record is written in the same transaction
as the creation, so a replay can never create twice; the same key with another body is refused."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from shared.dynamo import Transaction, get_item
from shared.errors import Conflict, Unprocessable

RETENTION_SECONDS = 24 * 3600


class IdempotentReplay(Conflict):
    pass


def fingerprint(body: BaseModel) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key(tenant_id: str, scope: str, key: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#IDEM#{scope}#{key}", "sk": "IDEMPOTENCY"}


def claim(tx: Transaction, tenant_id: str, scope: str, key: str, request: BaseModel, answer: BaseModel) -> None:
    """Add the key's record first in the transaction, so a replay is recognised before any
    other condition (such as a now-taken identity) could fail."""
    item: dict[str, Any] = {
        **_key(tenant_id, scope, key),
        "kind": "idempotency",
        "fingerprint": fingerprint(request),
        "answer": answer.model_dump_json(),
        "expires_at_epoch": int(time.time()) + RETENTION_SECONDS,
    }
    tx.create(item, on_fail=IdempotentReplay("replay"))


def replayed_answer(table: str, tenant_id: str, scope: str, key: str, request: BaseModel) -> str:
    """The answer first given for this key, or 422 if the body differs."""
    item = get_item(table, _key(tenant_id, scope, key))
    if item is None:
        raise Conflict("A request with this Idempotency-Key is still in progress; try again.")
    if item["fingerprint"] != fingerprint(request):
        raise Unprocessable(
            "This Idempotency-Key was used with a different body.",
            [{"loc": ["header", "Idempotency-Key"], "msg": "reused with a different body"}],
        )
    return str(item["answer"])


Prepare = Callable[[Transaction], None]


def create_once(
    *,
    table: str,
    tenant_id: str,
    scope: str,
    key: str | None,
    request: BaseModel,
    answer: BaseModel,
    write: Callable[[Prepare], None],
) -> str:
    """Run a creating write once per Idempotency-Key: ``write`` gets a hook that adds the key's
    record to its transaction. Answers the JSON of ``answer``, or, for a replay, the first answer."""

    def prepare(tx: Transaction) -> None:
        if key:
            claim(tx, tenant_id, scope, key, request, answer)

    try:
        write(prepare)
    except IdempotentReplay:
        assert key is not None
        return replayed_answer(table, tenant_id, scope, key, request)
    return answer.model_dump_json()


def previous_answer(table: str, tenant_id: str, scope: str, key: str | None, request: BaseModel) -> str | None:
    """The answer already given for this key (checked before any business rule, so a replay is
    answered the same even when the rule would now refuse), or None if the key is new."""
    if not key or get_item(table, _key(tenant_id, scope, key)) is None:
        return None
    return replayed_answer(table, tenant_id, scope, key, request)
