"""Set-up routes: the tenant's WeCom corps and welcome messages."""

from __future__ import annotations

from services.wecom.handlers.resolver import api
from services.wecom.logic import setup
from services.wecom.models import WeComSettingsRequest, WeComSettingsView, WelcomeMessageList, WelcomeMessageRequest


@api.route("GET /v1/wecom/settings")
def read_settings() -> WeComSettingsView:
    """The tenant's WeCom corps: corp id, agent id, brand, callback path, which secrets are set
    (never their values)."""
    return setup.read(api.staff().tenant_id)


@api.route("PUT /v1/wecom/settings", errors=(409,))
def save_settings(body: WeComSettingsRequest) -> WeComSettingsView:
    """Set up one corp (added, or replaced when it is set up already). The token, EncodingAESKey
    and secrets are write-only; one left out keeps its stored value. 409 ``corp_taken`` when
    another tenant set the corp up."""
    return setup.save(api.staff().tenant_id, body)


@api.route("GET /v1/wecom/welcome-messages")
def read_welcomes() -> WelcomeMessageList:
    """Welcome messages: the tenant's default, per staff member and per channel code."""
    return setup.welcomes(api.staff().tenant_id)


@api.route("PUT /v1/wecom/welcome-messages")
def save_welcome(body: WelcomeMessageRequest) -> WelcomeMessageList:
    """Set (or, with ``message`` null, remove) the welcome of one scope."""
    return setup.save_welcome(api.staff().tenant_id, body)
