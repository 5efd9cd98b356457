"""The contacts service's declaration: the unified customer profile."""

from __future__ import annotations

from shared.auth.roles import ADMINS, STAFF_ROLES, WRITERS
from shared.events.contacts import EVENTS
from shared.manifest import Access, Consumer, Index, Route, Schedule, Service, Table

STAFF: Access = "staff"
# Guides may tag the customers they own (product spec: "see and tag the customers they own").
TAGGERS = WRITERS | {"guide"}

SCANS_CONSUMER = Consumer(
    name="contacts-scans",
    handler="services.contacts.handlers.scans.handler",
    patterns=({"source": ["siyu.campaigns"], "detail-type": ["QrCodeScanned"]},),
)
ORDERS_CONSUMER = Consumer(
    name="contacts-orders",
    handler="services.contacts.handlers.orders.handler",
    patterns=({"source": [{"prefix": "partner."}], "detail-type": ["OrderPaid"]},),
)
# Cases asks who a WeChat sender is (ChannelSenderSeen); the answer is ChannelSenderIdentified.
CHANNEL_SENDERS_CONSUMER = Consumer(
    name="contacts-channel-senders",
    handler="services.contacts.handlers.senders.handler",
    patterns=({"source": ["siyu.cases"], "detail-type": ["ChannelSenderSeen"]},),
)
# WeCom customers (logic/wecom.py): an add resolves or creates the contact, sets its owner and is
# answered by WeComCustomerIdentified, a removal by WeComCustomerRemoved; both land on its timeline
# and lifecycle.
WECOM_CONSUMER = Consumer(
    name="contacts-wecom",
    handler="services.contacts.handlers.wecom.handler",
    patterns=({"source": ["siyu.wecom"], "detail-type": ["WeComContactAdded", "WeComContactRemoved"]},),
)
# Every fact about a contact that another event reports lands on its timeline (logic/timeline.py);
# scans and logins are recorded where contacts handles them.
CONTACT_FACTS = ("ContactCreated", "ContactTagged", "ContactUntagged", "ContactOwnerChanged", "OrderBuyerIdentified")
POINTS_FACTS = (
    "PointsAwarded",
    "PointsReversed",
    "PointsExpired",
    "PointsAdjusted",
    "RewardRedeemed",
    "RedemptionFulfilled",
    "RedemptionCancelled",
    "TierChanged",
)
CASE_FACTS = ("CaseOpened", "CaseStatusChanged", "CaseRated")
TIMELINE_FACTS = (*CONTACT_FACTS, "CampaignConversionRecorded", *POINTS_FACTS, *CASE_FACTS, "OrderPaid")
TIMELINE_CONSUMER = Consumer(
    name="contacts-timeline",
    handler="services.contacts.handlers.timeline.handler",
    patterns=(
        {"source": ["siyu.contacts"], "detail-type": [*CONTACT_FACTS, "ContactsMerged"]},
        {"source": ["siyu.campaigns"], "detail-type": ["CampaignConversionRecorded"]},
        {"source": ["siyu.points"], "detail-type": list(POINTS_FACTS)},
        {"source": ["siyu.cases"], "detail-type": list(CASE_FACTS)},
        {"source": [{"prefix": "partner."}], "detail-type": ["OrderPaid", "OrderRefunded"]},
    ),
)
# Jobs (logic/jobs.py): each step of a job is one ContactsJobStepped, contacts' own event.
JOBS_CONSUMER = Consumer(
    name="contacts-jobs",
    handler="services.contacts.handlers.jobs.handler",
    patterns=({"source": ["siyu.contacts"], "detail-type": ["ContactsJobStepped"]},),
    batch_size=1,
    timeout_seconds=60,
)
# Segments follow every fact through the timeline consumer; profile edits and erasures are not
# facts, so they reach the segments here.
SEGMENTS_CONSUMER = Consumer(
    name="contacts-segments",
    handler="services.contacts.handlers.segments.handler",
    patterns=({"source": ["siyu.contacts"], "detail-type": ["ContactUpdated", "ContactErased"]},),
)
# PIPL exports (logic/contact_export.py): contacts' own part on ContactExportRequested, and each
# service's part as it reports it, until the bundle is assembled.
EXPORTS_CONSUMER = Consumer(
    name="contacts-exports",
    handler="services.contacts.handlers.exports.handler",
    patterns=(
        {"source": ["siyu.contacts"], "detail-type": ["ContactExportRequested"]},
        {"source": ["siyu.points"], "detail-type": ["PointsExportPartWritten"]},
        {"source": ["siyu.cases"], "detail-type": ["CasesExportPartWritten"]},
        {"source": ["siyu.campaigns"], "detail-type": ["CampaignsExportPartWritten"]},
    ),
)

# WeCom's transfers (logic/staff_succession.py): a departed member's contacts go to the successor,
# a transferred customer's contact to its new staff member.
STAFF_SUCCESSION_CONSUMER = Consumer(
    name="contacts-staff-succession",
    handler="services.contacts.handlers.staff_succession.handler",
    patterns=({"source": ["siyu.wecom"], "detail-type": ["WeComStaffSucceeded", "WeComCustomerTransferred"]},),
)

# Journeys' tag steps (outreach's JourneyTagDecided, logic/journeys.py): the tag set on or taken
# off the contact (its survivor), once per decision.
JOURNEYS_CONSUMER = Consumer(
    name="contacts-journeys",
    handler="services.contacts.handlers.journeys.handler",
    patterns=({"source": ["siyu.outreach"], "detail-type": ["JourneyTagDecided"]},),
)

SERVICE = Service(
    name="contacts",
    api_handler="services.contacts.handlers.api.handler",
    routes=(
        Route("POST", "/v1/auth/wechat", "public"),
        Route("POST", "/v1/contacts", STAFF, WRITERS),
        Route("GET", "/v1/contacts", STAFF, STAFF_ROLES),
        Route("GET", "/v1/contacts/names", STAFF, STAFF_ROLES),
        Route("GET", "/v1/contacts/daily-stats", STAFF, WRITERS),
        Route("GET", "/v1/contacts/{contact_id}", STAFF, STAFF_ROLES),
        Route("PATCH", "/v1/contacts/{contact_id}", STAFF, WRITERS),
        Route("DELETE", "/v1/contacts/{contact_id}", STAFF, WRITERS),
        Route("PUT", "/v1/contacts/{contact_id}/tags/{tag}", STAFF, TAGGERS),
        Route("DELETE", "/v1/contacts/{contact_id}/tags/{tag}", STAFF, TAGGERS),
        Route("PUT", "/v1/contacts/{contact_id}/owner", STAFF, WRITERS),
        # Managers and admins merge by hand and review the pairs not merged automatically.
        Route("POST", "/v1/contacts/{contact_id}/merge", STAFF, WRITERS),
        Route("GET", "/v1/contacts/merge-candidates", STAFF, WRITERS),
        Route("GET", "/v1/contacts/{contact_id}/merges", STAFF, STAFF_ROLES),
        Route("GET", "/v1/contacts/{contact_id}/timeline", STAFF, STAFF_ROLES),
        # Tag groups and auto-tag rules: writers keep them, every staff role reads them.
        Route("POST", "/v1/tag-groups", STAFF, WRITERS),
        Route("GET", "/v1/tag-groups", STAFF, STAFF_ROLES),
        Route("GET", "/v1/tag-groups/{group_id}", STAFF, STAFF_ROLES),
        Route("PUT", "/v1/tag-groups/{group_id}", STAFF, WRITERS),
        Route("DELETE", "/v1/tag-groups/{group_id}", STAFF, WRITERS),
        Route("POST", "/v1/tag-rules", STAFF, WRITERS),
        Route("GET", "/v1/tag-rules", STAFF, STAFF_ROLES),
        Route("GET", "/v1/tag-rules/{rule_id}", STAFF, STAFF_ROLES),
        Route("PUT", "/v1/tag-rules/{rule_id}", STAFF, WRITERS),
        Route("DELETE", "/v1/tag-rules/{rule_id}", STAFF, WRITERS),
        Route("GET", "/v1/contacts/{contact_id}/insight", STAFF, STAFF_ROLES),
        Route("GET", "/v1/lifecycle-rules", STAFF, WRITERS),
        Route("PUT", "/v1/lifecycle-rules", STAFF, ADMINS),
        Route("GET", "/v1/contacts/{contact_id}/score", STAFF, STAFF_ROLES),
        Route("GET", "/v1/lead-scoring", STAFF, WRITERS),
        Route("PUT", "/v1/lead-scoring", STAFF, ADMINS),
        Route("POST", "/v1/segments", STAFF, WRITERS),
        Route("GET", "/v1/segments", STAFF, STAFF_ROLES),
        Route("GET", "/v1/segments/{segment_id}", STAFF, STAFF_ROLES),
        Route("PUT", "/v1/segments/{segment_id}", STAFF, WRITERS),
        Route("DELETE", "/v1/segments/{segment_id}", STAFF, WRITERS),
        Route("GET", "/v1/segments/{segment_id}/members", STAFF, WRITERS),
        Route("POST", "/v1/segments/{segment_id}/members", STAFF, WRITERS),
        Route("POST", "/v1/segments/preview", STAFF, WRITERS),
        Route("GET", "/v1/segment-templates", STAFF, STAFF_ROLES),
        Route("GET", "/v1/jobs", STAFF, WRITERS),
        Route("GET", "/v1/jobs/{job_id}", STAFF, WRITERS),
        Route("POST", "/v1/contacts/imports", STAFF, WRITERS),
        Route("POST", "/v1/contacts/imports/{job_id}/start", STAFF, WRITERS),
        Route("GET", "/v1/contacts/imports/{job_id}/errors", STAFF, WRITERS),
        # Bulk tagging and exports (personal data: writers only), each a job; a finished export's
        # file is offered by a short-lived URL made when asked.
        Route("POST", "/v1/contacts/bulk-tags", STAFF, WRITERS),
        Route("POST", "/v1/contacts/bulk-tags/uploads", STAFF, WRITERS),
        Route("POST", "/v1/contacts/bulk-tags/{job_id}/start", STAFF, WRITERS),
        Route("POST", "/v1/segments/{segment_id}/exports", STAFF, WRITERS),
        Route("POST", "/v1/contacts/{contact_id}/export", STAFF, WRITERS),
        # Every contact's profile snapshot published again (a copy-keeping service deployed late).
        Route("POST", "/v1/contacts/profile-snapshots/republish", STAFF, ADMINS),
        Route("GET", "/v1/jobs/{job_id}/download", STAFF, WRITERS),
        Route("GET", "/v1/me", "member"),
        Route("PATCH", "/v1/me", "member"),
        Route("POST", "/v1/me/phone", "member"),
        Route("GET", "/v1/health/contacts", "public"),
    ),
    publishes=tuple(EVENTS),
    consumers=(
        SCANS_CONSUMER,
        ORDERS_CONSUMER,
        TIMELINE_CONSUMER,
        CHANNEL_SENDERS_CONSUMER,
        JOBS_CONSUMER,
        SEGMENTS_CONSUMER,
        EXPORTS_CONSUMER,
        WECOM_CONSUMER,
        STAFF_SUCCESSION_CONSUMER,
        JOURNEYS_CONSUMER,
    ),
    schedules=(
        # Time-driven lifecycle changes (dormant, churned) and lead grades (decay): reads only the
        # contacts that are due
        # (and segments whose answer changes with time: last activity, a decaying lead score).
        Schedule("contacts-lifecycle-sweep", "services.contacts.handlers.sweep.handler", "rate(1 hour)"),
        # RFM from each tenant's distribution, at 03:00 Beijing time (19:00 UTC), the quietest hour.
        Schedule("contacts-rfm", "services.contacts.handlers.rfm.handler", "cron(0 19 * * ? *)", 900),
    ),
    table=Table(indexes=(Index("gsi1", "gsi1pk", "gsi1sk"),)),
    reads_token_secret=True,
    reads_wechat_secret=True,
    layers=("jwt",),  # member tokens are signed at login (PyJWT, HS256: no cryptography needed)
    files=True,  # CSV imports and exports in the file store (shared/files.py)
    # The parts of a PIPL export the other services write, which contacts bundles.
    reads_files=("points/exports/", "cases/exports/", "campaigns/exports/"),
)
