"""WeCom access tokens shared by every warm container: one item per corp and app.

Partition ``WECOM_TOKEN#{corp_id}#{app}``, sort key ``TOKEN`` (corp-scoped, not tenant-scoped: a
token belongs to the corp's app whichever tenant asks). The item carries the token, when to
refresh it and when it expires (business time, ``shared.clock``: in AWS the real time; locally
the test clock can expire it), a fingerprint of the secret it was fetched with (a changed secret
invalidates it), and, while one container fetches a new token, a lease (``lease_owner``,
``lease_until`` in real-time milliseconds) taken by a conditional write, so that only one caller
at a time asks WeCom's ``gettoken`` (which is rate limited).

The item never holds the secret itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from services.wecom.dal.table import table as _table
from shared import clock, dynamo

KIND = "wecom_access_token"
# DynamoDB removes a token item this long (real time) after it was stored: past any token's life.
HOUSEKEEPING_SECONDS = 7200 + 3600


@dataclass(frozen=True)
class AccessToken:
    """A token and its lifetime; ``refresh_at`` comes before ``expires_at`` (epoch seconds, business time)."""

    token: str
    refresh_at: int
    expires_at: int
    fingerprint: str

    def fresh(self, fingerprint: str, now: float) -> bool:
        """Good to use without asking for a new one."""
        return self.fingerprint == fingerprint and now < self.refresh_at

    def usable(self, fingerprint: str, now: float) -> bool:
        """Still accepted by WeCom, though due for a refresh."""
        return self.fingerprint == fingerprint and now < self.expires_at

    def __repr__(self) -> str:  # a token never reaches a log line through a repr
        return f"AccessToken(refresh_at={self.refresh_at}, expires_at={self.expires_at})"


def _key(corp_id: str, app: str) -> dict[str, str]:
    return {"pk": f"WECOM_TOKEN#{corp_id}#{app}", "sk": "TOKEN"}


def _is_condition_failure(error: Exception) -> bool:
    response = getattr(error, "response", None)
    return isinstance(response, dict) and response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class TokenTable:
    """The token items of the wecom table (the client's shared cache)."""

    def read(self, corp_id: str, app: str) -> AccessToken | None:
        item = dynamo.get_item(_table(), _key(corp_id, app))
        if not item or not item.get("token"):
            return None  # absent, or only a lease so far
        return AccessToken(
            token=str(item["token"]),
            refresh_at=int(item["refresh_at"]),
            expires_at=int(item["expires_at"]),
            fingerprint=str(item.get("fingerprint", "")),
        )

    def take_lease(self, corp_id: str, app: str, owner: str, seconds: float, fingerprint: str) -> bool:
        """True when this caller now holds the right to fetch a new token: no live lease is held
        and no fresh token of this secret is stored (one may have landed since the caller read)."""
        now_ms = int(time.time() * 1000)  # a lease is a lock between processes: real time
        try:
            dynamo.client().update_item(
                TableName=_table(),
                Key=dynamo.serialize(_key(corp_id, app)),
                UpdateExpression="SET lease_owner = :owner, lease_until = :until, kind = :kind",
                ConditionExpression="(attribute_not_exists(lease_until) OR lease_until < :now) AND "
                "(attribute_not_exists(#token) OR refresh_at <= :business_now OR fingerprint <> :fingerprint)",
                ExpressionAttributeNames={"#token": "token"},
                ExpressionAttributeValues=dynamo.serialize(
                    {
                        ":owner": owner,
                        ":until": now_ms + int(seconds * 1000),
                        ":now": now_ms,
                        ":kind": KIND,
                        ":business_now": int(clock.now_epoch()),
                        ":fingerprint": fingerprint,
                    }
                ),
            )
        except Exception as error:
            if _is_condition_failure(error):
                return False
            raise
        return True

    def store(self, corp_id: str, app: str, token: AccessToken) -> None:
        """The new token for everyone; the lease ends with it (the item is replaced)."""
        item: dict[str, Any] = {
            **_key(corp_id, app),
            "kind": KIND,
            "token": token.token,
            "refresh_at": token.refresh_at,
            "expires_at": token.expires_at,
            "fingerprint": token.fingerprint,
            "expires_at_epoch": int(time.time()) + HOUSEKEEPING_SECONDS,
        }
        dynamo.client().put_item(TableName=_table(), Item=dynamo.serialize(item))

    def forget(self, corp_id: str, app: str, token: str) -> None:
        """Drop ``token`` (WeCom refused it), unless another caller already replaced it."""
        try:
            dynamo.client().delete_item(
                TableName=_table(),
                Key=dynamo.serialize(_key(corp_id, app)),
                ConditionExpression="#token = :token",
                ExpressionAttributeNames={"#token": "token"},
                ExpressionAttributeValues=dynamo.serialize({":token": token}),
            )
        except Exception as error:
            if not _is_condition_failure(error):
                raise
