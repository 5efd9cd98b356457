"""Runtime settings: parsed from the environment once per process, never read elsewhere.

Names are global (``SIYU_TABLE_CONTACTS`` rather than ``TABLE_NAME``) so that the local stack can
host every function in one process with one environment, while each deployed function is only
given the variables it needs.

A dataclass rather than a pydantic model: the outbox publisher needs nothing else of pydantic, and
its cold start is on the path of every event. The few typed fields are checked in
``parse_settings``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Literal, get_args

WechatGateway = Literal["fake", "wechat"]


@dataclass(frozen=True)
class Settings:
    stage: str = "local"
    region: str = "us-east-1"
    event_bus_name: str = "siyu"
    tables: dict[str, str] = field(default_factory=dict)
    dead_letter_queues: dict[str, str] = field(default_factory=dict)
    token_secret_arn: str = ""
    token_issuer: str = "siyu"  # noqa: S105 - an issuer name
    token_audience: str = "siyu-api"  # noqa: S105 - an audience name
    member_token_ttl_seconds: int = 7 * 24 * 3600
    staff_token_ttl_seconds: int = 12 * 3600
    staff_issuer: str = ""
    staff_audience: str = ""
    wechat_gateway: WechatGateway = "wechat"
    wechat_secret_arn: str = ""
    max_body_bytes: int = 256 * 1024
    entry_url: str = "https://m.siyu.dev/scan"  # default H5 entry a channel code opens, per deployment

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    def table(self, service: str) -> str:
        try:
            return self.tables[service]
        except KeyError:
            raise RuntimeError(f"{table_env_name(service)} is not set for this function") from None

    def dead_letter_queue(self, consumer: str) -> str:
        try:
            return self.dead_letter_queues[consumer]
        except KeyError:
            raise RuntimeError(f"{dlq_env_name(consumer)} is not set for this function") from None


INTEGERS = {item.name for item in fields(Settings) if item.type in ("int", int)}


def _env_suffix(name: str) -> str:
    return name.replace("-", "_").upper()


def table_env_name(service: str) -> str:
    return f"SIYU_TABLE_{_env_suffix(service)}"


def dlq_env_name(consumer: str) -> str:
    return f"SIYU_DLQ_{_env_suffix(consumer)}"


def _prefixed(environ: dict[str, str], prefix: str) -> dict[str, str]:
    # Names are lower-case with hyphens; environment variables carry them upper-case with underscores.
    return {
        key[len(prefix) :].lower().replace("_", "-"): value for key, value in environ.items() if key.startswith(prefix)
    }


def parse_settings(environ: dict[str, str]) -> Settings:
    simple = {
        "stage": "SIYU_STAGE",
        "event_bus_name": "SIYU_EVENT_BUS",
        "token_secret_arn": "SIYU_TOKEN_SECRET_ARN",
        "token_issuer": "SIYU_TOKEN_ISSUER",
        "token_audience": "SIYU_TOKEN_AUDIENCE",
        "member_token_ttl_seconds": "SIYU_MEMBER_TOKEN_TTL_SECONDS",
        "staff_token_ttl_seconds": "SIYU_STAFF_TOKEN_TTL_SECONDS",
        "staff_issuer": "SIYU_STAFF_ISSUER",
        "staff_audience": "SIYU_STAFF_AUDIENCE",
        "wechat_gateway": "SIYU_WECHAT_GATEWAY",
        "wechat_secret_arn": "SIYU_WECHAT_SECRET_ARN",
        "max_body_bytes": "SIYU_MAX_BODY_BYTES",
        "entry_url": "SIYU_ENTRY_URL",
    }
    values: dict[str, object] = {name: environ[var] for name, var in simple.items() if var in environ}
    for name in INTEGERS & set(values):
        try:
            values[name] = int(str(values[name]))
        except ValueError:
            raise ValueError(f"{simple[name]} must be an integer, not {values[name]!r}") from None
    if values.get("wechat_gateway", "wechat") not in get_args(WechatGateway):
        raise ValueError(f"SIYU_WECHAT_GATEWAY must be one of {get_args(WechatGateway)}")
    values["region"] = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    values["tables"] = _prefixed(environ, "SIYU_TABLE_")
    values["dead_letter_queues"] = _prefixed(environ, "SIYU_DLQ_")
    return Settings(**values)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return parse_settings(dict(os.environ))
