"""The outreach table: its name, its partitions and the consumers' markers. Each aggregate has its
own DAL module beside this one, which documents its items.

Partitions (pk):
- T#{t}#OUTREACH                 the tenant's settings (``dal.settings``)
- T#{t}#INBOX#{consumer}#{e}     "this consumer handled this event" (shared.consumer)
- T#{t}#TEMPLATE#{template_id}   a message template (``dal.templates``; gsi1 T#{t}#TEMPLATES newest first)
- T#{t}#FACTS#{c}                contact facts, one item per contact (``dal.facts``); gsi1 T#{t}#BDAY#{MM-DD}
- T#{t}#EXT#{corp}#{ext}         WeCom customer → contact, and early removals' tombstones (``dal.facts``)
- T#{t}#SEG#{segment}            memberships C#{c} (gsi1 T#{t}#SEGIN#{segment} while a member) and COUNT (``dal.facts``)
- T#{t}#STAFF                    staff names, status and corp (``dal.facts``)
- T#{t}#CAP#{contact_id}         frequency cap counters (``dal.caps``)
- T#{t}#BCAST#… T#{t}#TRACKED#…  broadcasts, recipients, dispatches (``dal.broadcasts``)
- T#{t}#FAKEWECHAT, RATE#…       the local fake's WeChat deliveries and send-rate slots (``dal.deliveries``)
- T#{t}#JOURNEY#… T#{t}#JTRIGGER#… JDATE#ALL T#{t}#JDATEDONE#… T#{t}#ENROLL#… T#{t}#JSEND#…
                                 journeys, versions, stats, triggers, enrollments, sends (``dal.journeys``)
- T#{t}#TASK#{task_id}, T#{t}#TASK#COUNTS   staff tasks and per-staff overdue counts (``dal.tasks``; gsi1
                                 T#{t}#TASKS#STAFF#{staff}, gsi2 T#{t}#TASKS, gsi3 TASKDUE#{shard})
"""

from __future__ import annotations

from shared import inbox
from shared.settings import get_settings


def table() -> str:
    return get_settings().table("outreach")


def tenant_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#OUTREACH"


def mark_handled(consumer: str, tenant_id: str, event_id: str) -> None:
    """Record that a consumer finished with an event that changed nothing in this table."""
    inbox.mark_handled(table(), consumer, tenant_id, event_id)
