"""The tenant's outreach settings: per-contact caps per channel family, quiet hours, time zone."""

from __future__ import annotations

from services.outreach.handlers.resolver import api
from services.outreach.logic import settings
from services.outreach.models import OutreachSettings
from services.outreach.settings_models import OutreachSettingsChange


@api.route("GET /v1/outreach/settings")
def read_settings() -> OutreachSettings:
    """Caps, quiet hours and time zone (the defaults while never set: version 0)."""
    return settings.get(api.staff().tenant_id)


@api.route("PUT /v1/outreach/settings")
def change_settings(body: OutreachSettingsChange) -> OutreachSettings:
    """Replace the settings, on the version read (0 the first time; a stale one is a 409)."""
    return settings.put(api.staff().tenant_id, body)
