"""The file store: CSV imports uploaded by the console, exports and PIPL bundles it downloads.

One store for every service, two backends with one interface:

- AWS: the platform's files bucket (``SIYU_FILES_BUCKET``; private, encrypted, TLS only, objects
  expire after ``RETENTION_DAYS``). Each service writes and reads under its own prefix,
  ``<service>/…`` (``key``): a function's role may Get/Put only there (infra/service.py). Browsers
  upload and download with presigned S3 URLs, never through the API (its body limit is 256 KiB
  and Lambda's 6 MB).
- The local stack: a folder (``SIYU_LOCAL_FILES_DIR``, default ``.local/files``), and URLs under
  ``SIYU_LOCAL_FILES_URL`` signed here with an HMAC key that lives as long as the process and
  expire like presigned ones; ``local/files.py`` serves them (GET and PUT), so the console
  uploads and downloads on a laptop exactly as through S3.

Keys are made by code, never by a client: ``<service>/<what>/<tenant>/<id>.<ext>``, letters,
digits and ``/_.-`` only (``key`` checks).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import quote, urlencode

from shared import aws
from shared.settings import get_settings

RETENTION_DAYS = 7  # imports and exports are transit copies: the bucket's lifecycle expires them
_KEY = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)+$")
_FILE_NAME = re.compile(r"^[^\x00-\x1f\x7f\"\\/]{1,200}$")
GET, PUT = "GET", "PUT"


class FileMissing(LookupError):
    """No file under that key (not uploaded yet, or expired)."""


def key(service: str, *parts: str) -> str:
    """A file's key under its service's prefix; refuses anything that could leave it."""
    joined = "/".join((service, *parts))
    if not _KEY.match(joined) or any(part in ("", ".", "..") for part in joined.split("/")):
        raise ValueError(f"not a file key: {joined!r}")
    return joined


class Store(Protocol):
    def put(self, key: str, body: bytes, content_type: str) -> None: ...
    def size(self, key: str) -> int | None: ...
    def open(self, key: str, start: int) -> IO[bytes]: ...
    def url(self, method: str, key: str, expires_in: int, file_name: str | None, content_type: str | None) -> str: ...


# Backends -------------------------------------------------------------------------------------
class S3Store:
    def __init__(self, bucket: str) -> None:
        if not bucket:
            raise RuntimeError("SIYU_FILES_BUCKET is not set for this function")
        self.bucket = bucket

    def put(self, key: str, body: bytes, content_type: str) -> None:
        aws.client("s3").put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            answer = aws.client("s3").head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return int(answer["ContentLength"])

    def open(self, key: str, start: int) -> IO[bytes]:
        from botocore.exceptions import ClientError

        request: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if start:
            request["Range"] = f"bytes={start}-"
        try:
            body: IO[bytes] = aws.client("s3").get_object(**request)["Body"]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404"):
                raise FileMissing(key) from None
            if code == "InvalidRange":  # starting at the very end: nothing left to read
                import io

                return io.BytesIO(b"")
            raise
        return body

    def url(self, method: str, key: str, expires_in: int, file_name: str | None, content_type: str | None) -> str:
        params: dict[str, str] = {"Bucket": self.bucket, "Key": key}
        if method == GET and file_name:
            params["ResponseContentDisposition"] = attachment(file_name)
        if method == PUT and content_type:
            params["ContentType"] = content_type
        operation = "get_object" if method == GET else "put_object"
        return str(aws.client("s3").generate_presigned_url(operation, Params=params, ExpiresIn=expires_in))


class LocalStore:
    """The local stack's store: a folder, and URLs that ``local/files.py`` serves."""

    def __init__(self, folder: str, base_url: str) -> None:
        self.root = Path(folder).resolve()
        self.base_url = base_url.rstrip("/")

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"not a file key: {key!r}")
        return path

    def put(self, key: str, body: bytes, content_type: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        partial.write_bytes(body)
        os.replace(partial, path)  # readers never see half a file, as with S3

    def size(self, key: str) -> int | None:
        path = self.path(key)
        return path.stat().st_size if path.is_file() else None

    def open(self, key: str, start: int) -> IO[bytes]:
        try:
            handle = self.path(key).open("rb")
        except FileNotFoundError:
            raise FileMissing(key) from None
        handle.seek(start)
        return handle

    def url(self, method: str, key: str, expires_in: int, file_name: str | None, content_type: str | None) -> str:
        expires = int(time.time()) + expires_in
        query = {"method": method, "expires": str(expires)}
        if file_name:
            query["name"] = file_name
        query["signature"] = local_signature(method, key, expires, file_name)
        return f"{self.base_url}/{quote(key)}?{urlencode(query)}"


@cache
def _local_key() -> bytes:
    # Lives as long as the process that signs and serves (the local stack is one process): a
    # restart invalidates outstanding URLs, as an expiry would.
    return secrets.token_bytes(32)


def local_signature(method: str, key: str, expires: int, file_name: str | None) -> str:
    message = "\n".join((method, key, str(expires), file_name or "")).encode()
    return hmac.new(_local_key(), message, hashlib.sha256).hexdigest()


def verify_local(method: str, key: str, expires: str, signature: str, file_name: str | None) -> bool:
    """A local URL's signature is ours, for this method, key and name, and has not expired."""
    if not expires.isdigit() or int(expires) < time.time():
        return False
    return hmac.compare_digest(local_signature(method, key, int(expires), file_name), signature)


def attachment(file_name: str) -> str:
    if not _FILE_NAME.match(file_name):
        raise ValueError(f"not a file name: {file_name!r}")
    ascii_name = file_name.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"


def store() -> Store:
    settings = get_settings()
    if settings.is_local:
        return LocalStore(settings.local_files_dir, settings.local_files_url)
    return S3Store(settings.files_bucket)


# The interface --------------------------------------------------------------------------------
def put(key: str, body: bytes, content_type: str = "application/octet-stream") -> None:
    store().put(key, body, content_type)


def size(key: str) -> int | None:
    """The file's size in bytes, or None when there is none."""
    return store().size(key)


def get(key: str) -> bytes:
    with opened(key) as handle:
        return handle.read()


@contextmanager
def opened(key: str, start: int = 0) -> Iterator[IO[bytes]]:
    """The file for streaming, from byte ``start`` on (a job resumes where its cursor stopped).
    Raises ``FileMissing``."""
    handle = store().open(key, start)
    try:
        yield handle
    finally:
        handle.close()


def download_url(key: str, expires_in: int = 3600, file_name: str | None = None) -> str:
    """A URL anyone holding it may GET the file from until it expires (``file_name``: what the
    browser saves it as)."""
    return store().url(GET, key, expires_in, file_name, None)


def upload_url(key: str, expires_in: int = 3600, content_type: str | None = None) -> str:
    """A URL the holder may PUT the file's bytes to until it expires."""
    return store().url(PUT, key, expires_in, None, content_type)
