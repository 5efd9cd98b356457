"""Churn alerts (流失提醒): a customer deleted a staff member; the staff member and their
managers are told by a WeCom app message, once per friendship (generation).

The alert is claimed before WeCom is called and settled after, with ``WeComChurnAlerted``: a
redelivered removal finds the claim and sends nothing. A call that fails (WeCom unreachable,
rate limited past the client's retries) releases nothing: the claim is settled "failed" and the
failure is visible on it, rather than risking a second alert.
"""

from __future__ import annotations

from services.wecom.dal import relationships as dal
from services.wecom.dal import settings as settings_dal
from services.wecom.dal.table import mark_handled
from services.wecom.service import CHURN_ALERTS_CONSUMER
from shared.dynamo import Transaction
from shared.errors import UpstreamUnavailable
from shared.events.wecom import WeComChurnAlerted, WeComContactRemoved
from shared.inbox import handled
from shared.observability import logger
from shared.outbox import publish_with


def managers_of(tenant_id: str, staff_id: str) -> list[str]:
    """The staff member's managers (department leaders), from the staff directory once synced."""
    from services.wecom.dal import directory

    return directory.managers_of(tenant_id, staff_id)


def alert_text(removed: WeComContactRemoved, name: str | None) -> str:
    who = name or removed.external_userid
    when = f"{removed.removed_at:%Y-%m-%d %H:%M} UTC"
    return f"流失提醒: 客户「{who}」已将 {removed.staff_id} 从企业微信好友中删除 ({when})。"


def alert(tenant_id: str, event_id: str, removed: WeComContactRemoved) -> None:
    if removed.removed_by != "customer":
        mark_handled(CHURN_ALERTS_CONSUMER.name, tenant_id, event_id)
        return
    claim = f"CHURN#{removed.corp_id}#{removed.staff_id}#{removed.external_userid}#{removed.generation}"
    if not dal.claim(tenant_id, claim, {"staff_id": removed.staff_id, "external_userid": removed.external_userid}):
        mark_handled(CHURN_ALERTS_CONSUMER.name, tenant_id, event_id)
        return
    recipients = [removed.staff_id, *(m for m in managers_of(tenant_id, removed.staff_id) if m != removed.staff_id)]
    relationship = dal.get(tenant_id, removed.staff_id, removed.corp_id, removed.external_userid)
    credentials = settings_dal.credentials(tenant_id, removed.corp_id)
    from services.wecom.gateways import client as wecom_api

    outcome, detail = "sent", ""
    try:
        if credentials is None:
            raise UpstreamUnavailable("the corp is not set up")
        wecom_api.client().send_app_message(
            credentials, recipients, alert_text(removed, relationship.name if relationship else None)
        )
    except wecom_api.WeComApiError as error:
        outcome, detail = "failed", f"errcode {error.errcode}"
    except (UpstreamUnavailable, wecom_api.WeComNotConfigured) as error:
        outcome, detail = "failed", error.detail
    if outcome == "failed":
        logger.warning("churn alert not sent", extra={"detail": detail})
    events = (
        (
            WeComChurnAlerted(
                corp_id=removed.corp_id,
                staff_id=removed.staff_id,
                external_userid=removed.external_userid,
                generation=removed.generation,
                recipients=recipients,
            ),
        )
        if outcome == "sent"
        else ()
    )

    def announce(tx: Transaction) -> None:
        publish_with(tx, tenant_id, *events)

    dal.settle_claim(
        tenant_id,
        claim,
        outcome,
        detail,
        prepares=(handled(CHURN_ALERTS_CONSUMER.name, tenant_id, event_id), announce),
    )
