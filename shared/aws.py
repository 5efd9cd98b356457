"""boto3 clients, created lazily once per process and reused across invocations.

The endpoint comes from boto3's own ``AWS_ENDPOINT_URL`` support, so the same code talks to AWS
when deployed and to the local emulator on a laptop.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any

_lock = threading.Lock()


@cache
def _session() -> Any:
    import gc

    # What the function has loaded so far lives as long as the process. Frozen, it is no longer
    # walked by the collector's full passes, which the SDK's many allocations would otherwise
    # trigger during client creation (a 15 ms pass per cold start, measured).
    gc.freeze()
    import boto3  # imported here so that modules needing no AWS client do not pay for boto3

    return boto3.session.Session()


def client(name: str) -> Any:
    return _client(name)


@cache
def _client(name: str) -> Any:
    with _lock:  # boto3 session client creation is not thread-safe
        return _session().client(name, config=client_config(name))


def client_config(name: str) -> Any:
    """The botocore configuration of the ``name`` client. S3 signs with SigV4 on the regional
    endpoint, in us-east-1 too: a presigned URL's host is then always
    ``<bucket>.s3.<region>.<suffix>``, the one origin the console's CSP names (infra/files.py)."""
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 4}, max_pool_connections=32)
    if name == "s3":
        # An emulator on loopback (AWS_ENDPOINT_URL) keeps its own addressing (path style).
        emulated = bool(os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL"))
        s3 = Config(
            signature_version="s3v4",
            s3={"us_east_1_regional_endpoint": "regional", "addressing_style": "auto" if emulated else "virtual"},
        )
        config = config.merge(s3)
    return config


def instrument(callback: Any) -> None:
    """Call ``callback(service, operation)`` before every AWS request this process makes (the
    benchmark counts requests with it). Clients made before this are replaced."""

    def before_call(model: Any, **_: Any) -> None:
        callback(model.service_model.service_name, model.name)

    _session().events.register("before-call", before_call)
    _client.cache_clear()


def reset_clients() -> None:
    """For tests that switch endpoints inside one process."""
    _client.cache_clear()
    _session.cache_clear()
