"""Idempotency-Key support for creating POSTs: the key's record is written in the same transaction
as the creation, so a replay can never create twice; the same key with another body is refused."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from shared.dynamo import Prepare, Transaction, get_item
from shared.errors import Conflict, Unprocessable
from shared.manifest import TTL_ATTRIBUTE

RETENTION_SECONDS = 24 * 3600
M = TypeVar("M", bound=BaseModel)


class IdempotentReplay(Conflict):
    pass


def fingerprint(body: BaseModel) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key(tenant_id: str, scope: str, key: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#IDEM#{scope}#{key}", "sk": "IDEMPOTENCY"}


def _claim(tx: Transaction, tenant_id: str, scope: str, key: str, request: BaseModel, answer: BaseModel) -> None:
    """Add the key's record first in the transaction, so a replay is recognised before any
    other condition (such as a now-taken identity) could fail."""
    item: dict[str, Any] = {
        **_key(tenant_id, scope, key),
        "kind": "idempotency",
        "fingerprint": fingerprint(request),
        "answer": answer.model_dump_json(),
        TTL_ATTRIBUTE: int(time.time()) + RETENTION_SECONDS,
    }
    tx.create(item, on_fail=IdempotentReplay("replay"))


def _replayed_answer(table: str, tenant_id: str, scope: str, key: str, request: BaseModel) -> str:
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


def _previous_answer(table: str, tenant_id: str, scope: str, key: str | None, request: BaseModel) -> str | None:
    """The answer already given for this key (checked before any business rule, so a replay is
    answered the same even when the rule would now refuse), or None if the key is new."""
    if not key or get_item(table, _key(tenant_id, scope, key)) is None:
        return None
    return _replayed_answer(table, tenant_id, scope, key, request)


def once_per_key(
    *,
    table: str,
    tenant_id: str,
    scope: str,
    key: str | None,
    request: BaseModel,
    answer_type: type[M],
    write: Callable[[Callable[[M], Prepare]], M],
) -> M:
    """Run a creating write at most once per Idempotency-Key and answer what the first run answered.

    A key already used is answered from its record before ``write`` runs, so a replay gets the same
    answer even when a rule would now refuse (the reward sold out, the identity taken). ``write``
    is given ``claim``: ``claim(answer)`` is the hook that adds the key's record, holding that answer,
    to the write's own transaction; ``write`` returns the answer. Two concurrent runs with one key
    create once: the loser's transaction fails on the key's record and it answers the winner's
    answer. The same key with another body is refused (422). Without a key, ``claim`` adds nothing.
    """
    if key:
        earlier = _previous_answer(table, tenant_id, scope, key, request)
        if earlier is not None:
            return answer_type.model_validate_json(earlier)

    def claim_with(answer: M) -> Prepare:
        def add(tx: Transaction) -> None:
            if key:
                _claim(tx, tenant_id, scope, key, request, answer)

        return add

    try:
        return write(claim_with)
    except IdempotentReplay:
        assert key is not None
        return answer_type.model_validate_json(_replayed_answer(table, tenant_id, scope, key, request))
