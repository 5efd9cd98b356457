"""A tenant's WeCom set-up: corps (with write-only secrets) and welcome messages."""

from __future__ import annotations

from typing import Any

from services.wecom.dal import settings as dal
from services.wecom.models import (
    CorpView,
    WeComSettingsRequest,
    WeComSettingsView,
    WelcomeMessageList,
    WelcomeMessageRequest,
    WelcomeMessageView,
)
from shared.errors import Unprocessable
from shared.observability import logger


def callback_path(tenant_id: str) -> str:
    return f"/v1/channels/wecom/{tenant_id}/callback"


def _view(tenant_id: str, item: dict[str, Any], secrets: dict[str, dict[str, Any]]) -> CorpView:
    stored = secrets.get(str(item["corp_id"])) or {}
    return CorpView(
        corp_id=str(item["corp_id"]),
        agent_id=int(str(item["agent_id"])) if item.get("agent_id") is not None else None,
        brand=str(item["brand"]) if item.get("brand") else None,
        callback_path=callback_path(tenant_id),
        secrets_set=sorted((stored.get("secrets") or {}) if isinstance(stored, dict) else {}),
        updated_at=str(item["updated_at"]),
    )


def read(tenant_id: str) -> WeComSettingsView:
    secrets = dal.stored_secrets(tenant_id)
    return WeComSettingsView(corps=[_view(tenant_id, item, secrets) for item in dal.corps(tenant_id)])


def save(tenant_id: str, request: WeComSettingsRequest) -> WeComSettingsView:
    existing = dal.stored_secrets(tenant_id, refresh=True).get(request.corp_id) or {}
    token = request.token or existing.get("token")
    aes_key = request.encoding_aes_key or existing.get("encoding_aes_key")
    missing = [name for name, value in (("token", token), ("encoding_aes_key", aes_key)) if not value]
    if missing:
        raise Unprocessable(
            "A corp's first set-up needs its callback token and EncodingAESKey.",
            [{"loc": ["body", name], "msg": "required for a corp not set up yet"} for name in missing],
        )
    given = {name: value for name, value in request.secrets.model_dump().items() if value}
    secret_part = {
        "token": token,
        "encoding_aes_key": aes_key,
        "secrets": {**(existing.get("secrets") or {}), **given},
    }
    public = {"corp_id": request.corp_id, "agent_id": request.agent_id, "brand": request.brand}
    dal.save(tenant_id, {key: value for key, value in public.items() if value is not None}, secret_part)
    # Names only: a secret's value never reaches a log line.
    logger.info("wecom corp set up", extra={"corp_id": request.corp_id, "secrets_given": sorted(given)})
    return read(tenant_id)


def welcomes(tenant_id: str) -> WelcomeMessageList:
    return WelcomeMessageList(
        items=[
            WelcomeMessageView(
                scope=item["scope"], key=item.get("key"), message=item["message"], updated_at=item["updated_at"]
            )
            for item in dal.welcomes(tenant_id)
        ]
    )


def save_welcome(tenant_id: str, request: WelcomeMessageRequest) -> WelcomeMessageList:
    if (request.scope == "tenant") != (request.key is None):
        raise Unprocessable(
            "The tenant's default has no key; a staff member's or a code's welcome names it.",
            [{"loc": ["body", "key"], "msg": "none for scope tenant, required otherwise"}],
        )
    message = request.message
    if message is not None:
        attached = [name for name in ("image_media_id", "image_url", "link", "mini_program") if getattr(message, name)]
        if len(attached) > 1:
            raise Unprocessable(
                "A welcome carries at most one attachment.",
                [{"loc": ["body", "message", name], "msg": "one attachment at most"} for name in attached],
            )
        if not attached and not message.text:
            raise Unprocessable(
                "A welcome needs a text or an attachment.", [{"loc": ["body", "message", "text"], "msg": "required"}]
            )
    dal.put_welcome(tenant_id, request.scope, request.key, message.model_dump(exclude_none=True) if message else None)
    return welcomes(tenant_id)
