"""The cases table: its name, the keys its aggregates share, whole-partition reads and the
processed markers of the service's consumers. Each aggregate has its own DAL module beside this
one: ``cases`` (cases, threads, history, sources), ``routing`` (queues, agents and their counters,
settings), ``channel``, ``kb`` and ``contact_directory``.

Partitions (pk):
- T#{t}#CASE#{id}             a case, its messages and history (``dal.cases``)
- T#{t}#ROUTING               queues, agents, settings (``dal.routing``)
- T#{t}#SOURCE#{key}          one case per partner request or channel message (``dal.cases``)
- T#{t}#WINDOW#…, CHANNEL#…   channel windows and WeChat apps (``dal.channel``)
- T#{t}#CHANNEL#{app}#{openid} a WeChat sender: its link to a contact (``dal.channel``) and its
                              case index (``dal.cases``)
- T#{t}#KB                    knowledge-base articles (``dal.kb``)
- T#{t}#CONTACT#{c}           the contact directory (``dal.contact_directory``), the contact's
                              case index (``dal.cases``) and its linked senders (``dal.channel``)
- T#{t}#INBOX#{consumer}#{e}  "this consumer handled this event" (here)
"""

from __future__ import annotations

from typing import Any

from shared import dynamo, inbox
from shared.events.cases import ChannelAddress
from shared.settings import get_settings


def table() -> str:
    return get_settings().table("cases")


def case_pk(tenant_id: str, case_id: str) -> str:
    return f"T#{tenant_id}#CASE#{case_id}"


def contact_pk(tenant_id: str, contact_id: str) -> str:
    return f"T#{tenant_id}#CONTACT#{contact_id}"


def sender_pk(tenant_id: str, address: ChannelAddress) -> str:
    """A WeChat sender's partition: their link to a contact and the index of their cases."""
    return f"T#{tenant_id}#CHANNEL#{address.app_id}#{address.openid}"


def routing_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#ROUTING"


def whole_partition(pk: str) -> list[dict[str, Any]]:
    """Every item of one partition, page after page."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": dynamo.serialize({":p": pk}),
    }
    return list(dynamo.query_pages(request))


def mark_handled(consumer: str, tenant_id: str, event_id: str) -> None:
    """Record that a consumer finished with an event that changed nothing in this table."""
    inbox.mark_handled(table(), consumer, tenant_id, event_id)
