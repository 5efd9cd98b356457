"""``make web-client``: the OpenAPI document the frontends are typed from.

It is the local stack's document — the deployed one plus the development sign-in
(``POST /v1/auth/dev-token``), which the console's local sign-in calls — written with sorted keys
so that a change to any route shows as a diff of ``web/shared/api/openapi.json``.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def local_document() -> dict[str, Any]:
    import local.dev_tokens  # noqa: F401  registers the development sign-in on the platform API
    from services.platform.api import openapi_document
    from services.registry import SERVICES

    return openapi_document(SERVICES)


def main() -> None:
    sys.stdout.write(json.dumps(local_document(), ensure_ascii=False, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
