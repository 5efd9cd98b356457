"""The points API's resolver: every route module registers its routes on this one ``api``."""

from __future__ import annotations

from services.points.service import SERVICE
from shared.http import ServiceApi

api = ServiceApi(SERVICE)
api.add_health_route()
