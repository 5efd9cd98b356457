"""The wecom service's declaration: the staff side on WeCom (企业微信).

WeCom calls Siyu back (``/v1/channels/wecom/{tenant_id}/callback``, encrypted and signed with the
tenant's token and EncodingAESKey); each verified callback is queued on the bus as
``WeComCallbackReceived`` and answered at once, then processed by ``wecom-callbacks``: the
staff ↔ customer relationships (one item per staff userid and external_userid), deletion records,
welcome messages, the staff directory and customer groups. Contacts and campaigns learn of adds
and removals from its events; long work (syncs, reconciliation, transfers) runs as jobs.
"""

from __future__ import annotations

from shared.auth.roles import ADMINS, SEE_ALL_CUSTOMERS, STAFF_ROLES, WRITERS
from shared.events.wecom import EVENTS
from shared.manifest import Access, Consumer, Index, Route, Schedule, Service, Table

STAFF: Access = "staff"

CALLBACKS_CONSUMER = Consumer(
    name="wecom-callbacks",
    handler="services.wecom.handlers.callbacks.handler",
    patterns=({"source": ["siyu.wecom"], "detail-type": ["WeComCallbackReceived"]},),
)
# A customer removed a staff member (流失): the staff member and their manager are told.
CHURN_ALERTS_CONSUMER = Consumer(
    name="wecom-churn-alerts",
    handler="services.wecom.handlers.churn_alerts.handler",
    patterns=({"source": ["siyu.wecom"], "detail-type": ["WeComContactRemoved"]},),
)
# Contacts' answer to an add: the contact a customer is, so relationships list by contact.
CUSTOMERS_CONSUMER = Consumer(
    name="wecom-customers",
    handler="services.wecom.handlers.customers.handler",
    patterns=({"source": ["siyu.contacts"], "detail-type": ["WeComCustomerIdentified", "ContactsMerged"]},),
)
# Long work in bounded steps: syncs, reconciliation, transfer batches.
JOBS_CONSUMER = Consumer(
    name="wecom-jobs",
    handler="services.wecom.handlers.jobs.handler",
    patterns=({"source": ["siyu.wecom"], "detail-type": ["WeComJobStepped"]},),
    timeout_seconds=60,
)
# A staff member became departed (离职): their customers go to a successor.
DEPARTURES_CONSUMER = Consumer(
    name="wecom-departures",
    handler="services.wecom.handlers.departures.handler",
    patterns=({"source": ["siyu.wecom"], "detail-type": ["WeComStaffChanged"]},),
)
# Staff KPIs: counters kept from the facts of every service, per staff member and day.
KPIS_CONSUMER = Consumer(
    name="wecom-kpis",
    handler="services.wecom.handlers.kpis.handler",
    patterns=(
        {"source": ["siyu.wecom"], "detail-type": ["WeComContactAdded", "WeComContactRemoved", "WeComStaffChanged"]},
        {"source": ["siyu.campaigns"], "detail-type": ["QrCodeScanned"]},
        {
            "source": ["siyu.cases"],
            "detail-type": ["CaseAssignmentChanged", "CaseStatusChanged", "CaseMessageAdded", "CaseRated"],
        },
        {"source": ["siyu.contacts"], "detail-type": ["ContactCreated", "ContactOwnerChanged", "OrderBuyerIdentified"]},
        # A partner's order naming its contact never becomes OrderBuyerIdentified.
        {"source": [{"prefix": "partner."}], "detail-type": ["OrderPaid"]},
        # Journeys' staff tasks done or gone overdue.
        {"source": ["siyu.outreach"], "detail-type": ["StaffTaskChanged"]},
    ),
)
# Channel codes that are WeCom contact ways (联系我): made at WeCom, their adds counted against
# each member's daily limit.
CONTACT_WAYS_CONSUMER = Consumer(
    name="wecom-contact-ways",
    handler="services.wecom.handlers.contact_ways.handler",
    patterns=(
        {"source": ["siyu.campaigns"], "detail-type": ["ChannelCodeCreated"]},
        {"source": ["siyu.wecom"], "detail-type": ["WeComContactAdded"]},
    ),
)
# WeCom 群发: one add_msg_template per BroadcastDispatched (a staff member's share of a broadcast),
# once per dispatch; one at a time, as a call may take WeCom's retries.
MASS_MESSAGES_CONSUMER = Consumer(
    name="wecom-mass-messages",
    handler="services.wecom.handlers.mass_messages.handler",
    patterns=({"source": ["siyu.outreach"], "detail-type": ["BroadcastDispatched"]},),
    batch_size=1,
    timeout_seconds=60,
)
# Nightly: the directory and the groups synced, relationships reconciled against WeCom's lists.
NIGHTLY_SCHEDULE = Schedule("wecom-nightly", "services.wecom.handlers.nightly.handler", "cron(30 18 * * ? *)")
# Transfers' results: WeCom settles a transfer within a day; in-flight batches are polled.
TRANSFER_RESULTS_SCHEDULE = Schedule(
    "wecom-transfer-results", "services.wecom.handlers.transfer_results.handler", "rate(15 minutes)"
)
# 群发 tasks' confirmation and per-recipient results, polled from the sparse due index.
MASS_MESSAGE_RESULTS_SCHEDULE = Schedule(
    "wecom-mass-message-results", "services.wecom.handlers.mass_message_results.handler", "rate(5 minutes)"
)
# A new business day: the members at a code's daily add limit are back in its rotation.
CONTACT_WAY_LIMITS_SCHEDULE = Schedule(
    "wecom-contact-way-limits", "services.wecom.handlers.contact_way_limits.handler", "rate(15 minutes)"
)

SERVICE = Service(
    name="wecom",
    api_handler="services.wecom.handlers.api.handler",
    routes=(
        Route("GET", "/v1/health/wecom", "public"),
        # WeCom's callback: public, verified with the tenant's token and EncodingAESKey.
        Route("GET", "/v1/channels/wecom/{tenant_id}/callback", "public"),
        Route("POST", "/v1/channels/wecom/{tenant_id}/callback", "public"),
        # Staff sign-in by WeCom web login (QR → code → userid → a Siyu staff token).
        Route("GET", "/v1/auth/wecom/login-url", "public"),
        Route("POST", "/v1/auth/wecom", "public"),
        Route("GET", "/v1/wecom/settings", STAFF, ADMINS),
        Route("PUT", "/v1/wecom/settings", STAFF, ADMINS),
        Route("GET", "/v1/wecom/welcome-messages", STAFF, WRITERS),
        Route("PUT", "/v1/wecom/welcome-messages", STAFF, WRITERS),
        # A guide sees their own relationships and deletions; the tenant-wide roles see everyone's.
        Route("GET", "/v1/wecom/relationships", STAFF, STAFF_ROLES),
        Route("GET", "/v1/wecom/deletions", STAFF, STAFF_ROLES),
        # Directory.
        Route("GET", "/v1/wecom/staff", STAFF, SEE_ALL_CUSTOMERS),
        Route("GET", "/v1/wecom/staff/{staff_id}", STAFF, SEE_ALL_CUSTOMERS),
        Route("PUT", "/v1/wecom/staff/{staff_id}/roles", STAFF, ADMINS),
        Route("GET", "/v1/wecom/departments", STAFF, SEE_ALL_CUSTOMERS),
        Route("POST", "/v1/wecom/directory/syncs", STAFF, ADMINS),
        Route("POST", "/v1/wecom/reconciliations", STAFF, ADMINS),
        Route("GET", "/v1/wecom/jobs/{job_id}", STAFF, WRITERS),
        # Transfers (in service and departed).
        Route("POST", "/v1/wecom/transfers", STAFF, WRITERS),
        Route("GET", "/v1/wecom/transfers", STAFF, WRITERS),
        Route("GET", "/v1/wecom/transfers/{transfer_id}", STAFF, WRITERS),
        Route("GET", "/v1/wecom/transfers/{transfer_id}/customers", STAFF, WRITERS),
        Route("GET", "/v1/wecom/transfers/{transfer_id}/groups", STAFF, WRITERS),
        # Customer groups and 群接龙.
        Route("GET", "/v1/wecom/groups", STAFF, STAFF_ROLES),
        Route("GET", "/v1/wecom/groups/{chat_id}", STAFF, STAFF_ROLES),
        Route("GET", "/v1/wecom/groups/{chat_id}/members", STAFF, STAFF_ROLES),
        Route("GET", "/v1/wecom/group-activity", STAFF, STAFF_ROLES),
        Route("POST", "/v1/wecom/groups/syncs", STAFF, ADMINS),
        Route("POST", "/v1/wecom/signups", STAFF, STAFF_ROLES),
        Route("GET", "/v1/wecom/signups", STAFF, STAFF_ROLES),
        Route("GET", "/v1/wecom/signups/{sheet_id}", STAFF, STAFF_ROLES),
        Route("GET", "/v1/me/signups/{sheet_id}", "member"),
        Route("POST", "/v1/me/signups/{sheet_id}/entries", "member"),
        Route("DELETE", "/v1/me/signups/{sheet_id}/entries", "member"),
        # Staff KPIs.
        Route("GET", "/v1/wecom/kpis", STAFF, STAFF_ROLES),
        # Channel codes that are contact ways (联系我): QR code, rotation, daily limits.
        Route("GET", "/v1/wecom/contact-ways", STAFF, WRITERS),
        Route("GET", "/v1/wecom/contact-ways/{code}", STAFF, WRITERS),
        Route("PUT", "/v1/wecom/contact-ways/{code}", STAFF, WRITERS),
    ),
    publishes=tuple(EVENTS),
    # Wired as their handlers land (a declared handler that does not exist stops the stack).
    consumers=(
        CALLBACKS_CONSUMER,
        CHURN_ALERTS_CONSUMER,
        CUSTOMERS_CONSUMER,
        JOBS_CONSUMER,
        KPIS_CONSUMER,
        DEPARTURES_CONSUMER,
        CONTACT_WAYS_CONSUMER,
        MASS_MESSAGES_CONSUMER,
    ),
    schedules=(
        NIGHTLY_SCHEDULE,
        TRANSFER_RESULTS_SCHEDULE,
        CONTACT_WAY_LIMITS_SCHEDULE,
        MASS_MESSAGE_RESULTS_SCHEDULE,
    ),
    table=Table(
        indexes=(
            Index("gsi1", "gsi1pk", "gsi1sk"),
            Index("gsi2", "gsi2pk", "gsi2sk"),
            Index("gsi3", "gsi3pk", "gsi3sk"),
        )
    ),
    # The file store: a broadcast's recipients for one staff member's 群发 (outreach writes them).
    files=True,
    reads_files=("outreach/dispatches/",),
    layers=("cryptography",),  # AES-256-CBC of WeCom's encrypted callbacks
    keeps_secrets="wecom",  # each tenant's corps: callback token, EncodingAESKey, app secrets
)
