"""The cases service's declaration: complaints and service requests from intake to CSAT (案例管理).

It keeps its own directory of contact owners, fed by contacts' events: routing a case to "the
contact's owner first" needs it, and no service reads another's table.
"""

from __future__ import annotations

from shared.auth.roles import ADMINS, SEE_ALL_CUSTOMERS, WRITERS
from shared.events.cases import EVENTS
from shared.manifest import Access, Consumer, Index, Route, Schedule, Service, Table

STAFF: Access = "staff"
# Guides own contacts but do not work cases: case routes are for the tenant-wide roles.

# Declared once: handlers and logic take the names from here (processed markers, dead letters), so
# the queue infra builds and the name a consumer records under cannot disagree.
CONTACT_DIRECTORY_CONSUMER = Consumer(
    name="cases-contact-directory",
    handler="services.cases.handlers.contact_directory.handler",
    patterns=(
        {"source": ["siyu.contacts"], "detail-type": ["ContactCreated", "ContactOwnerChanged", "ContactErased"]},
    ),
)
CONTACT_CASES_CONSUMER = Consumer(
    name="cases-contact-cases",
    handler="services.cases.handlers.contact_cases.handler",
    patterns=({"source": ["siyu.contacts"], "detail-type": ["ContactErased", "ContactsMerged"]},),
)
PARTNER_REQUESTS_CONSUMER = Consumer(
    name="cases-partner-requests",
    handler="services.cases.handlers.partner_requests.handler",
    patterns=({"source": [{"prefix": "partner."}], "detail-type": ["AfterSalesRequested"]},),
)
CHANNEL_INBOX_CONSUMER = Consumer(
    name="cases-channel-inbox",
    handler="services.cases.handlers.channel_inbox.handler",
    patterns=({"source": ["siyu.cases"], "detail-type": ["ChannelMessageReceived"]},),
)
CHANNEL_GATEWAY_CONSUMER = Consumer(
    name="cases-channel-gateway",
    handler="services.cases.handlers.channel_gateway.handler",
    patterns=({"source": ["siyu.cases"], "detail-type": ["CaseReplyRequested"]},),
)
# Contacts' answer to ChannelSenderSeen: the sender's cases go to the contact they are.
CHANNEL_SENDERS_CONSUMER = Consumer(
    name="cases-channel-senders",
    handler="services.cases.handlers.channel_senders.handler",
    patterns=({"source": ["siyu.contacts"], "detail-type": ["ChannelSenderIdentified"]},),
)
# Every minute: SLA targets are minutes long; a run reads only the sparse due index.
SLA_SCHEDULE = Schedule("cases-sla", "services.cases.handlers.sla.handler", "rate(1 minute)")

# PIPL exports: cases' part of one contact's bundle, to the file store.
EXPORTS_CONSUMER = Consumer(
    name="cases-exports",
    handler="services.cases.handlers.exports.handler",
    patterns=({"source": ["siyu.contacts"], "detail-type": ["ContactExportRequested"]},),
)

# A departed WeCom staff member's open cases go to their successor (logic/staff_succession.py).
STAFF_SUCCESSION_CONSUMER = Consumer(
    name="cases-staff-succession",
    handler="services.cases.handlers.staff_succession.handler",
    patterns=({"source": ["siyu.wecom"], "detail-type": ["WeComStaffSucceeded"]},),
)

SERVICE = Service(
    name="cases",
    api_handler="services.cases.handlers.api.handler",
    routes=(
        Route("GET", "/v1/health/cases", "public"),
        Route("POST", "/v1/me/cases", "member"),
        Route("GET", "/v1/me/cases", "member"),
        Route("GET", "/v1/me/cases/{case_id}", "member"),
        Route("POST", "/v1/me/cases/{case_id}/messages", "member"),
        Route("POST", "/v1/me/cases/{case_id}/csat", "member"),
        Route("POST", "/v1/cases", STAFF, SEE_ALL_CUSTOMERS),
        Route("GET", "/v1/cases", STAFF, SEE_ALL_CUSTOMERS),
        Route("GET", "/v1/cases/{case_id}", STAFF, SEE_ALL_CUSTOMERS),
        Route("PATCH", "/v1/cases/{case_id}", STAFF, SEE_ALL_CUSTOMERS),
        Route("POST", "/v1/cases/{case_id}/messages", STAFF, SEE_ALL_CUSTOMERS),
        Route("POST", "/v1/cases/{case_id}/messages/{message_id}/retry", STAFF, SEE_ALL_CUSTOMERS),
        Route("POST", "/v1/cases/sla-checks", STAFF, ADMINS),
        Route("GET", "/v1/cases/stats", STAFF, WRITERS),
        Route("GET", "/v1/cases/{case_id}/suggestions", STAFF, SEE_ALL_CUSTOMERS),
        Route("POST", "/v1/kb/articles", STAFF, WRITERS),
        Route("GET", "/v1/kb/articles", STAFF, SEE_ALL_CUSTOMERS),
        Route("GET", "/v1/kb/articles/{article_id}", STAFF, SEE_ALL_CUSTOMERS),
        Route("PUT", "/v1/kb/articles/{article_id}", STAFF, WRITERS),
        Route("DELETE", "/v1/kb/articles/{article_id}", STAFF, WRITERS),
        Route("GET", "/v1/kb/search", STAFF, SEE_ALL_CUSTOMERS),
        Route("GET", "/v1/agents", STAFF, SEE_ALL_CUSTOMERS),
        Route("PUT", "/v1/agents/{staff_id}", STAFF, SEE_ALL_CUSTOMERS),
        Route("PUT", "/v1/agents/{staff_id}/availability", STAFF, SEE_ALL_CUSTOMERS),
        Route("POST", "/v1/agents/{staff_id}/handover", STAFF, WRITERS),
        Route("GET", "/v1/queues", STAFF, SEE_ALL_CUSTOMERS),
        Route("PUT", "/v1/queues/{queue_id}", STAFF, WRITERS),
        Route("GET", "/v1/case-settings", STAFF, WRITERS),
        Route("PUT", "/v1/case-settings", STAFF, ADMINS),
        Route("PUT", "/v1/channels/wechat/{app_id}", STAFF, ADMINS),
        # WeChat's callback: public, its signature checked with the app's token.
        Route("GET", "/v1/channels/wechat/{app_id}/messages", "public"),
        Route("POST", "/v1/channels/wechat/{app_id}/messages", "public"),
        # What the local fake channel "sent": end-to-end tests read it; absent in AWS.
        Route("GET", "/v1/local/channel-deliveries", STAFF, SEE_ALL_CUSTOMERS, local_only=True),
    ),
    publishes=tuple(EVENTS),
    consumers=(
        CONTACT_DIRECTORY_CONSUMER,
        CONTACT_CASES_CONSUMER,
        PARTNER_REQUESTS_CONSUMER,
        CHANNEL_INBOX_CONSUMER,
        CHANNEL_GATEWAY_CONSUMER,
        CHANNEL_SENDERS_CONSUMER,
        EXPORTS_CONSUMER,
        STAFF_SUCCESSION_CONSUMER,
    ),
    schedules=(SLA_SCHEDULE,),
    table=Table(
        indexes=(
            Index("gsi1", "gsi1pk", "gsi1sk"),
            Index("gsi2", "gsi2pk", "gsi2sk"),
            Index("gsi3", "gsi3pk", "gsi3sk"),
            Index("gsi4", "gsi4pk", "gsi4sk"),
            Index("gsi5", "gsi5pk", "gsi5sk"),
        )
    ),
    reads_wechat_secret=True,
    layers=("cryptography",),  # AES of a WeChat official account's safe-mode (encrypted) callbacks
    files=True,  # PIPL export parts (logic/exports.py)
)
