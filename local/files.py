"""The local stack's file server: what S3 presigned URLs do in AWS, for the folder
``shared/files.py`` keeps files in locally (``SIYU_LOCAL_FILES_DIR``).

``GET`` and ``PUT`` ``/_local/files/<key>?method=…&expires=…[&name=…]&signature=…``: the URL
``shared.files.download_url`` / ``upload_url`` made. The signature (HMAC-SHA256 with the stack's
key) covers the method, the key, the expiry and the download name, so a URL cannot be turned into
another (another key, a PUT from a GET, a later expiry); an expired or altered one answers 403, as
S3 does. Outside /v1: never part of the API, never deployed. CORS is open (``*``): the URL itself
is the permission, and the console's dev server runs on another port.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote

from local.gateway import HttpAnswer
from shared import files
from shared.settings import get_settings

PREFIX = "/_local/files/"
MAX_UPLOAD_BYTES = 128 * 1024 * 1024  # above any file the services accept (an import: 64 MiB)
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, PUT",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
}


def serves(path: str) -> bool:
    return path.startswith(PREFIX)


def prepare() -> None:
    """Create the folder (the stack's start)."""
    files.LocalStore(get_settings().local_files_dir, get_settings().local_files_url).root.mkdir(
        parents=True, exist_ok=True
    )


def _refused(status: int, text: str) -> HttpAnswer:
    body = f'<?xml version="1.0"?><Error><Code>{text}</Code></Error>'.encode()
    return HttpAnswer(status, {"Content-Type": "application/xml", **CORS}, body)


def _signed(method: str, path: str, query: str) -> tuple[str, str | None] | HttpAnswer:
    """The key and download name a URL was signed for, or the refusal it gets."""
    if method not in (files.GET, files.PUT, "HEAD"):
        return _refused(405, "MethodNotAllowed")
    signed_for = files.GET if method == "HEAD" else method
    values = {name: found[0] for name, found in parse_qs(query).items()}
    key = unquote(path[len(PREFIX) :])
    name = values.get("name")
    if values.get("method") != signed_for or not files.verify_local(
        signed_for, key, values.get("expires", ""), values.get("signature", ""), name
    ):
        return _refused(403, "AccessDenied")
    try:
        files.key(*key.split("/", 1))
    except (ValueError, TypeError):
        return _refused(400, "InvalidKey")
    return key, name


def handle(method: str, target: str, body: bytes) -> HttpAnswer:
    """Answer a request for a signed file URL."""
    path, _, query = target.partition("?")
    if method == "OPTIONS":
        return HttpAnswer(204, dict(CORS), b"")
    signed = _signed(method, path, query)
    if isinstance(signed, HttpAnswer):
        return signed
    key, name = signed
    store = files.store()
    if method == files.PUT:
        if len(body) > MAX_UPLOAD_BYTES:
            return _refused(413, "EntityTooLarge")
        store.put(key, body, "application/octet-stream")
        return HttpAnswer(200, dict(CORS), b"")
    try:
        with files.opened(key) as handle:
            content = handle.read()
    except files.FileMissing:
        return _refused(404, "NoSuchKey")
    headers = {"Content-Type": "application/octet-stream", **CORS}
    if name:
        headers["Content-Disposition"] = files.attachment(name)
    return HttpAnswer(200, headers, b"" if method == "HEAD" else content)
