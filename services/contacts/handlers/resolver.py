"""The contacts API's resolver and the parameter types its routes share."""

from __future__ import annotations

from services.contacts.service import SERVICE
from shared.http import ServiceApi
from shared.params import Id

api = ServiceApi(SERVICE)
api.add_health_route()

ContactId = Id
