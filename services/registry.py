"""Every deployable service, in one list: infra/ and the local stack both start here."""

from __future__ import annotations

from services.campaigns.service import SERVICE as CAMPAIGNS
from services.cases.service import SERVICE as CASES
from services.contacts.service import SERVICE as CONTACTS
from services.platform.service import SERVICE as PLATFORM
from services.points.service import SERVICE as POINTS
from shared.manifest import Service

SERVICES: tuple[Service, ...] = (PLATFORM, CONTACTS, CASES, CAMPAIGNS, POINTS)
