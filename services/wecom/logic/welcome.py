"""The welcome a new friend receives (欢迎语), sent through the add's WelcomeCode.

WeCom gives a WelcomeCode with an add when the welcome may be sent through the API, valid for
20 seconds and usable once. The welcome is the add's channel code's (by its ``state``), else the
staff member's, else the tenant's default; none is sent when the add carried no WelcomeCode.

At most once: the code is claimed (a conditional write) before WeCom is called, and the outcome
is written on the claim. A failed call is not retried through the event (the code would have
expired by the time the message came back); the client itself retries rate limits within the
window.
"""

from __future__ import annotations

from typing import Any

from services.wecom.dal import relationships as dal
from services.wecom.dal import settings as settings_dal
from services.wecom.models import WeComCredentials, WelcomeContent
from shared.errors import UpstreamUnavailable
from shared.events.wecom import WeComContactAdded
from shared.observability import logger

SCOPE_ORDER = ("code", "staff", "tenant")


def chosen(tenant_id: str, added: WeComContactAdded) -> WelcomeContent | None:
    found = {item["scope"]: item for item in settings_dal.welcome_candidates(tenant_id, added.state, added.staff_id)}
    for scope in SCOPE_ORDER:
        if scope in found:
            return WelcomeContent.model_validate(found[scope]["message"])
    return None


def attachments(content: WelcomeContent) -> list[dict[str, Any]]:
    """The welcome's attachment in send_welcome_msg's shape."""
    if content.image_media_id:
        return [{"msgtype": "image", "image": {"media_id": content.image_media_id}}]
    if content.image_url:
        return [{"msgtype": "image", "image": {"pic_url": content.image_url}}]
    if content.link:
        link = {"title": content.link.title, "url": content.link.url}
        if content.link.description:
            link["desc"] = content.link.description
        if content.link.picture_url:
            link["picurl"] = content.link.picture_url
        return [{"msgtype": "link", "link": link}]
    if content.mini_program:
        card = content.mini_program
        return [
            {
                "msgtype": "miniprogram",
                "miniprogram": {
                    "title": card.title,
                    "pic_media_id": card.picture_media_id,
                    "appid": card.app_id,
                    "page": card.page,
                },
            }
        ]
    return []


def personalised(text: str | None, added: WeComContactAdded) -> str | None:
    if not text:
        return None
    return text.replace("{name}", added.name or "")


def send(tenant_id: str, added: WeComContactAdded, welcome_code: str, credentials: WeComCredentials | None) -> None:
    content = chosen(tenant_id, added)
    if content is None or credentials is None:
        return
    claim = f"WELCOME#{welcome_code[:256]}"
    if not dal.claim(tenant_id, claim, {"staff_id": added.staff_id, "external_userid": added.external_userid}):
        return
    from services.wecom.gateways import client as wecom_api

    try:
        wecom_api.client().send_welcome_message(
            credentials, welcome_code, personalised(content.text, added), attachments(content)
        )
    except wecom_api.WeComApiError as error:
        logger.warning("welcome not sent", extra={"errcode": error.errcode})
        dal.settle_claim(tenant_id, claim, "failed", f"errcode {error.errcode}")
        return
    except (UpstreamUnavailable, wecom_api.WeComNotConfigured) as error:
        logger.warning("welcome not sent", extra={"detail": error.detail})
        dal.settle_claim(tenant_id, claim, "failed", error.detail)
        return
    dal.settle_claim(tenant_id, claim, "sent")
