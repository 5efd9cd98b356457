"""The campaigns service's declaration: campaigns, channel codes, scans, attribution, statistics."""

from __future__ import annotations

from shared.auth.roles import ADMINS, SEE_ALL_CUSTOMERS, STAFF_ROLES, WRITERS
from shared.events.campaigns import EVENTS
from shared.manifest import Access, Consumer, Index, Route, Service, Table

STAFF: Access = "staff"

ATTRIBUTION_CONSUMER = Consumer(
    name="campaigns-attribution",
    handler="services.campaigns.handlers.attribution.handler",
    patterns=({"source": ["siyu.contacts"], "detail-type": ["ScanAttributed"]},),
)

# A merge of two contacts: the survivor counts as converted wherever the alias converted.
MERGES_CONSUMER = Consumer(
    name="campaigns-contact-merges",
    handler="services.campaigns.handlers.merges.handler",
    patterns=({"source": ["siyu.contacts"], "detail-type": ["ContactsMerged"]},),
)

# A customer's WeCom add through a contact way whose state is a channel code: a scan of that code.
WECOM_ADDS_CONSUMER = Consumer(
    name="campaigns-wecom-adds",
    handler="services.campaigns.handlers.wecom.handler",
    patterns=({"source": ["siyu.contacts"], "detail-type": ["WeComCustomerIdentified"]},),
)

# Referral invitees' qualifying actions (logic/qualification.py): a phone bound, a first order, a
# WeCom friendship; and their deletions of the staff member and refunds (logic/clawback.py). Only contact
# changes that name the phone are delivered.
QUALIFYING_ACTIONS_CONSUMER = Consumer(
    name="campaigns-referral-actions",
    handler="services.campaigns.handlers.referrals.handler",
    patterns=(
        {"source": ["siyu.contacts"], "detail-type": ["ContactUpdated"], "detail": {"data": {"changed": ["phone"]}}},
        {
            "source": ["siyu.contacts"],
            "detail-type": ["OrderBuyerIdentified", "WeComCustomerIdentified", "WeComCustomerRemoved"],
        },
        {"source": [{"prefix": "partner."}], "detail-type": ["OrderPaid", "OrderRefunded"]},
    ),
)

# The influence network (logic/influence.py): qualified invitees join it; their orders count for
# the contacts above them.
INFLUENCE_CONSUMER = Consumer(
    name="campaigns-influence",
    handler="services.campaigns.handlers.influence.handler",
    patterns=(
        {"source": ["siyu.campaigns"], "detail-type": ["InviteeQualified"]},
        {"source": ["siyu.contacts"], "detail-type": ["OrderBuyerIdentified"]},
        {"source": [{"prefix": "partner."}], "detail-type": ["OrderPaid"]},
    ),
)

# PIPL exports: campaigns' part of one contact's bundle, to the file store.
EXPORTS_CONSUMER = Consumer(
    name="campaigns-exports",
    handler="services.campaigns.handlers.exports.handler",
    patterns=({"source": ["siyu.contacts"], "detail-type": ["ContactExportRequested"]},),
)

SERVICE = Service(
    name="campaigns",
    api_handler="services.campaigns.handlers.api.handler",
    routes=(
        Route("GET", "/v1/health/campaigns", "public"),
        Route("POST", "/v1/campaigns", STAFF, WRITERS),
        Route("GET", "/v1/campaigns", STAFF, STAFF_ROLES),
        Route("GET", "/v1/campaigns/daily-stats", STAFF, WRITERS),
        Route("GET", "/v1/campaigns/{campaign_id}", STAFF, STAFF_ROLES),
        Route("PATCH", "/v1/campaigns/{campaign_id}", STAFF, WRITERS),
        Route("POST", "/v1/campaigns/{campaign_id}/activate", STAFF, WRITERS),
        Route("POST", "/v1/campaigns/{campaign_id}/pause", STAFF, WRITERS),
        Route("POST", "/v1/campaigns/{campaign_id}/end", STAFF, WRITERS),
        Route("POST", "/v1/campaigns/{campaign_id}/codes", STAFF, WRITERS),
        Route("GET", "/v1/campaigns/{campaign_id}/codes", STAFF, STAFF_ROLES),
        Route("GET", "/v1/campaigns/{campaign_id}/stats", STAFF, STAFF_ROLES),
        Route("GET", "/v1/campaigns/{campaign_id}/invitations", STAFF, WRITERS),
        Route("GET", "/v1/campaigns/{campaign_id}/leaderboard", STAFF, WRITERS),
        Route("GET", "/v1/codes/{code}/qr.svg", STAFF, STAFF_ROLES, binary=True),
        Route("GET", "/v1/codes/{code}/qr.png", STAFF, STAFF_ROLES, binary=True),
        Route("GET", "/v1/contacts/{contact_id}/network", STAFF, SEE_ALL_CUSTOMERS),
        Route("GET", "/v1/koc", STAFF, WRITERS),
        Route("GET", "/v1/koc/rule", STAFF, WRITERS),
        Route("POST", "/v1/koc/tasks", STAFF, WRITERS),
        Route("GET", "/v1/koc/tasks", STAFF, WRITERS),
        Route("POST", "/v1/koc/tasks/{task_id}/end", STAFF, WRITERS),
        Route("GET", "/v1/koc/tasks/{task_id}/submissions", STAFF, WRITERS),
        Route("POST", "/v1/koc/tasks/{task_id}/submissions/{contact_id}/approve", STAFF, WRITERS),
        Route("POST", "/v1/koc/tasks/{task_id}/submissions/{contact_id}/reject", STAFF, WRITERS),
        Route("GET", "/v1/me/koc-tasks", "member"),
        Route("POST", "/v1/me/koc-tasks/{task_id}/submissions", "member"),
        Route("PUT", "/v1/koc/rule", STAFF, ADMINS),
        Route("POST", "/v1/scans", "member"),
        Route("GET", "/v1/me/referrals", "member"),
        Route("POST", "/v1/me/shares", "member"),
        Route("GET", "/v1/me/referrals/poster.png", "member", binary=True),
        Route("PUT", "/v1/campaigns/{campaign_id}/poster", STAFF, WRITERS),
        Route("GET", "/v1/campaigns/{campaign_id}/poster.png", STAFF, WRITERS, binary=True),
        Route("DELETE", "/v1/campaigns/{campaign_id}/poster", STAFF, WRITERS),
    ),
    publishes=tuple(EVENTS),
    consumers=(
        ATTRIBUTION_CONSUMER,
        MERGES_CONSUMER,
        EXPORTS_CONSUMER,
        WECOM_ADDS_CONSUMER,
        QUALIFYING_ACTIONS_CONSUMER,
        INFLUENCE_CONSUMER,
    ),
    # gsi1: campaigns, codes, a program's invitations and leaderboard; gsi2: an inviter's invitees.
    table=Table(indexes=(Index("gsi1", "gsi1pk", "gsi1sk"), Index("gsi2", "gsi2pk", "gsi2sk"))),
    layers=("segno", "pillow", "poster_font"),  # poster_font: the posters' CJK font (services/campaigns/fonts.py)
    files=True,  # PIPL export parts (logic/exports.py)
)
