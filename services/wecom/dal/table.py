"""The wecom table: its name, the partitions its aggregates share and the consumers' markers.
Each aggregate has its own DAL module beside this one: ``settings`` (corps and their secrets),
``callbacks`` (the door's dedupe and rejection records), ``relationships`` (friendships,
deletion records, welcome and alert claims) and ``tokens`` (cached access tokens).

Partitions (pk):
- T#{t}#WECOM                    the tenant's corps and welcome messages (``dal.settings``)
- CORP#{corp_id}                 which tenant a corp belongs to (one tenant per corp)
- T#{t}#CALLBACK#{digest}        a callback already queued (WeCom redelivers; TTL 3 days)
- T#{t}#REJECTED                 callbacks refused after verification, with the reason (TTL 30 days)
- T#{t}#STAFF#{userid}           the staff member's relationships, one per customer (``dal.relationships``)
- T#{t}#DELETIONS                deletion records, newest last (``dal.relationships``)
- T#{t}#CLAIM#{what}             once-only effects: a welcome code used, a churn alert sent
- T#{t}#ALIAS#{contact_id}       a merged contact's survivor (``dal.relationships``)
- T#{t}#INBOX#{consumer}#{e}     "this consumer handled this event" (shared.consumer)
- WECOM_TOKEN#{corp_id}#{app}    an access token and its refresh lease (``dal.tokens``)
- T#{t}#TRANSFER#{id}            a transfer (/TRANSFER; gsi1 T#{t}#TRANSFERS#{from_staff}, gsi2 T#{t}#TRANSFERS,
                                 gsi3 WXFER#DUE#{shard} while awaiting results), its listed ids (/IDS#n) and
                                 customers' outcomes (/CUST#{ext}) and a departed transfer's customer
                                 groups' outcomes (/GROUP#{chat_id}, written once) (``dal.transfers``)
- T#{t}#XFERHIST#{corp}#{ext}    a customer's recent transfers (WeCom's two per 90 days) and the one in flight
- T#{t}#DEPARTURE#{staff}        a departed member: awaiting a successor or started, with the transfer
- T#{t}#GROUP#{chat_id}          a customer group (GROUP) and its members (MEMBER#{userid}, kept after
                                 leaving) (``dal.groups``)
- T#{t}#GACT#ALL|OWNER#{o}|CHAT#{c}  daily group joins/leaves (DAY#{date}) (``dal.groups``)
- T#{t}#CWAY#{code}              a channel code's contact way (WAY; gsi1 T#{t}#CWAYS, gsi3 WCWAY#RESTORE while
                                 someone is at their daily add limit), adds per member and day, adds counted
                                 (``dal.contact_ways``)
- T#{t}#WMASS#{dispatch_id}      a 群发 task per outreach dispatch (/MASS): state (ready, calling, created,
                                 failed), msgid, counts; gsi1 T#{t}#WMASSMSG#{msgid}, gsi3 WMASS#DUE#{shard} /
                                 {due}#{t}#{dispatch_id} while results are awaited (``dal.mass_messages``)
- T#{t}#SIGNUP#{sheet_id}        a 群接龙 sheet with its entries in one item (``dal.signups``)
- T#{t}#DIRECTORY                members STAFF#{userid} (gsi3 T#{t}#STAFFSTATUS#{status} / STAFF#{userid})
                                 and departments DEPT#{id:010d} (``dal.directory``)
- T#{t}#DEPTSTAFF#{department_id}  a department's members: staff id and status (``dal.directory``)
- T#{t}#SIGNIN#{state}           a WeCom login URL's state, single use, TTL 10 min (``dal.directory``)
- T#{t}#WJOB#{job_id}            a job (gsi1 T#{t}#WJOBS, newest first) (``dal.jobs``)
- T#{t}#KPI#{yyyy-mm-dd} / STAFF#{staff}         a staff member's KPI counters of a business day (``dal.kpis``)
- T#{t}#KPIMONTHS / {yyyy-mm}#STAFF#{staff}      the customers gauge's moves per month
- T#{t}#KPISTAFF / STAFF#{staff}                 the customers gauge, the KPIs' copy of the staff member
- T#{t}#KPIFRIEND#{staff} / {corp}#{ext}#{gen}   the days a friendship's add and removal were counted
- T#{t}#KPICASE#{case_id} / CASE                 a case's holders over time, facts awaiting them (TTL 400 d)
- T#{t}#KPIOWNER#{contact_id} / OWNER            the contact's tenant-wide owner at its version
- T#{t}#KPIORDER#{partner}#{order_id} / ORDER    an order counted once (TTL 400 d)

Indexes: gsi1 = a relationship by customer (T#{t}#EXT#{corp}#{external_userid}), a deletion by
staff member, jobs newest first, transfers by staff member; gsi2 = a relationship by contact
(T#{t}#CONTACT#{contact_id}), transfers newest first; gsi3 = transfers due for result polling,
contact ways due back in full rotation and 群发 tasks due for result polling.
gsi1 also lists every group (T#{t}#GROUPS) and a group's sheets (T#{t}#SIGNUPS#CHAT#{chat}); gsi2
an owner's groups (T#{t}#GROUPS#OWNER#{owner}) and every sheet (T#{t}#SIGNUPS); gsi3 a group's
current members (T#{t}#GROUP#{chat}#IN, sparse) and the directory's members by status.
"""

from __future__ import annotations

from shared import inbox
from shared.settings import get_settings


def table() -> str:
    return get_settings().table("wecom")


def tenant_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#WECOM"


def mark_handled(consumer: str, tenant_id: str, event_id: str) -> None:
    """Record that a consumer finished with an event that changed nothing in this table."""
    inbox.mark_handled(table(), consumer, tenant_id, event_id)
