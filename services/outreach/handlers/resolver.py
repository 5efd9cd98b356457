"""The outreach API's resolver and the parameter types its routes share."""

from __future__ import annotations

from services.outreach.service import SERVICE
from shared.http import ServiceApi

api = ServiceApi(SERVICE)
api.add_health_route()
