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
from typing import Any, Literal, get_args

WechatGateway = Literal["fake", "wechat"]


class Variable:
    """Where a setting comes from, and what a deployed function that reads it must be given.

    ``required``: its default is only right in the local stack (a resource's name or ARN, the
    stage), so every deployed function whose code reads it must have the variable; the others have
    defaults that hold in AWS too. ``secret``: the value names a Secrets Manager secret, which the
    function's role must be allowed to read. tests/infra/test_wiring.py checks both against the
    synthesized template, from what each handler's code reads.
    """

    __slots__ = ("name", "required", "secret")

    def __init__(self, name: str, *, required: bool = False, secret: bool = False) -> None:
        self.name = name
        self.required = required
        self.secret = secret


def _from(name: str, default: Any, *, required: bool = False, secret: bool = False) -> Any:
    return field(default=default, metadata={"variable": Variable(name, required=required, secret=secret)})


@dataclass(frozen=True)
class Settings:
    stage: str = _from("SIYU_STAGE", "local", required=True)  # "local" would enable dev-only routes
    region: str = _from("AWS_REGION", "us-east-1")  # set by Lambda itself
    event_bus_name: str = _from("SIYU_EVENT_BUS", "siyu", required=True)
    tables: dict[str, str] = field(
        default_factory=dict, metadata={"variable": Variable("SIYU_TABLE_", required=True)}
    )  # SIYU_TABLE_<SERVICE>: see table_env_name
    dead_letter_queues: dict[str, str] = field(
        default_factory=dict, metadata={"variable": Variable("SIYU_DLQ_", required=True)}
    )  # SIYU_DLQ_<CONSUMER>: see dlq_env_name
    token_secret_arn: str = _from("SIYU_TOKEN_SECRET_ARN", "", required=True, secret=True)
    token_issuer: str = _from("SIYU_TOKEN_ISSUER", "siyu")
    token_audience: str = _from("SIYU_TOKEN_AUDIENCE", "siyu-api")
    member_token_ttl_seconds: int = _from("SIYU_MEMBER_TOKEN_TTL_SECONDS", 7 * 24 * 3600)
    staff_token_ttl_seconds: int = _from("SIYU_STAFF_TOKEN_TTL_SECONDS", 12 * 3600)
    # Empty: no staff tokens from that issuer are accepted (fails closed), so not required of every
    # function that can read a token; the authorizer is given them by the platform stack.
    staff_issuer: str = _from("SIYU_STAFF_ISSUER", "")
    staff_audience: str = _from("SIYU_STAFF_AUDIENCE", "")
    staff_keys_secret_arn: str = _from("SIYU_STAFF_KEYS_SECRET_ARN", "", secret=True)  # AWS China: Siyu's own keys
    wechat_gateway: WechatGateway = _from("SIYU_WECHAT_GATEWAY", "wechat")  # noqa: RUF009 - a field(), as above
    wechat_secret_arn: str = _from("SIYU_WECHAT_SECRET_ARN", "", required=True, secret=True)
    max_body_bytes: int = _from("SIYU_MAX_BODY_BYTES", 256 * 1024)
    entry_url: str = _from("SIYU_ENTRY_URL", "https://m.siyu.dev/scan")  # default H5 entry a channel code opens
    # The WeCom group robot's webhook URL, kept in this secret (by name): the alarm forwarder posts there.
    alarm_webhook_secret: str = _from("SIYU_ALARM_WEBHOOK_SECRET", "", required=True, secret=True)
    # The file store (shared/files.py): imports and exports. AWS: the platform's files bucket; the
    # local stack: a folder, served with signed URLs under ``local_files_url`` (local/files.py).
    files_bucket: str = _from("SIYU_FILES_BUCKET", "", required=True)
    local_files_dir: str = _from("SIYU_LOCAL_FILES_DIR", ".local/files")
    local_files_url: str = _from("SIYU_LOCAL_FILES_URL", "http://127.0.0.1:8000/_local/files")
    # The CJK font referral posters are drawn with; empty: the font layer's, else web/node_modules'.
    poster_font: str = _from("SIYU_POSTER_FONT", "")

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
# Field name → where it comes from. "SIYU_TABLE_"/"SIYU_DLQ_" are prefixes (one variable per table
# or queue); AWS_REGION is Lambda's own.
VARIABLES: dict[str, Variable] = {item.name: item.metadata["variable"] for item in fields(Settings)}
_PREFIXED = ("tables", "dead_letter_queues")
_FROM_LAMBDA = ("region",)


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
    simple = {name: variable.name for name, variable in VARIABLES.items() if name not in _PREFIXED + _FROM_LAMBDA}
    values: dict[str, object] = {name: environ[var] for name, var in simple.items() if var in environ}
    for name in INTEGERS & set(values):
        try:
            values[name] = int(str(values[name]))
        except ValueError:
            raise ValueError(f"{simple[name]} must be an integer, not {values[name]!r}") from None
    if values.get("wechat_gateway", "wechat") not in get_args(WechatGateway):
        raise ValueError(f"SIYU_WECHAT_GATEWAY must be one of {get_args(WechatGateway)}")
    values["region"] = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    values["tables"] = _prefixed(environ, VARIABLES["tables"].name)
    values["dead_letter_queues"] = _prefixed(environ, VARIABLES["dead_letter_queues"].name)
    return Settings(**values)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return parse_settings(dict(os.environ))
