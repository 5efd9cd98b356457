"""The wecom API's resolver and the parameter types its routes share."""

from __future__ import annotations

from typing import Annotated

from services.wecom.service import SERVICE
from shared.http import ServiceApi
from shared.params import Path

api = ServiceApi(SERVICE)
api.add_health_route()

TenantId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]
