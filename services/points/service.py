"""The points service's declaration: the member points ledger (微积分)."""

from __future__ import annotations

from shared.auth.roles import ADMINS, SEE_ALL_CUSTOMERS, WRITERS
from shared.events.points import EVENTS
from shared.manifest import Access, Consumer, Index, Route, Schedule, Service, Table

STAFF: Access = "staff"
# Guides are left out of ledgers until points keeps its own copy of who owns which contact.

# Declared once: the handlers take their names from here, so the queue infra builds and the name
# a consumer records and dead-letters under cannot disagree.
CONVERSIONS_CONSUMER = Consumer(
    name="points-conversions",
    handler="services.points.handlers.conversions.handler",
    patterns=({"source": ["siyu.campaigns"], "detail-type": ["CampaignConversionRecorded"]},),
)
ORDERS_CONSUMER = Consumer(
    name="points-orders",
    handler="services.points.handlers.orders.handler",
    patterns=(
        {"source": [{"prefix": "partner."}], "detail-type": ["OrderPaid", "OrderRefunded"]},
        {"source": ["siyu.contacts"], "detail-type": ["OrderBuyerIdentified"]},
    ),
)
CONTACTS_CONSUMER = Consumer(
    name="points-contacts",
    handler="services.points.handlers.contacts.handler",
    patterns=({"source": ["siyu.contacts"], "detail-type": ["ContactCreated", "ContactsMerged"]},),
)

# PIPL exports: points' part of one contact's bundle, to the file store.
EXPORTS_CONSUMER = Consumer(
    name="points-exports",
    handler="services.points.handlers.exports.handler",
    patterns=({"source": ["siyu.contacts"], "detail-type": ["ContactExportRequested"]},),
)
# Journeys' award steps (outreach's JourneyPointsGranted, logic/journeys.py): a credit once per grant.
JOURNEYS_CONSUMER = Consumer(
    name="points-journeys",
    handler="services.points.handlers.journeys.handler",
    patterns=({"source": ["siyu.outreach"], "detail-type": ["JourneyPointsGranted"]},),
)
# Referral programs' rewards (campaigns' ReferralRewardEarned / ReferralRewardReversed,
# logic/referrals.py): a credit, or its reversal, once per reward.
REFERRALS_CONSUMER = Consumer(
    name="points-referrals",
    handler="services.points.handlers.referrals.handler",
    patterns=({"source": ["siyu.campaigns"], "detail-type": ["ReferralRewardEarned", "ReferralRewardReversed"]},),
)

SERVICE = Service(
    name="points",
    api_handler="services.points.handlers.api.handler",
    routes=(
        Route("GET", "/v1/health/points", "public"),
        Route("GET", "/v1/me/points", "member"),
        Route("GET", "/v1/me/points/entries", "member"),
        Route("GET", "/v1/me/points/statement", "member"),
        Route("GET", "/v1/contacts/{contact_id}/points", STAFF, SEE_ALL_CUSTOMERS),
        Route("GET", "/v1/contacts/{contact_id}/points/entries", STAFF, SEE_ALL_CUSTOMERS),
        Route("POST", "/v1/contacts/{contact_id}/points/adjustments", STAFF, WRITERS),
        Route("GET", "/v1/points/policy", STAFF, WRITERS),
        Route("GET", "/v1/points/daily-stats", STAFF, WRITERS),
        Route("PUT", "/v1/points/policy", STAFF, ADMINS),
        Route("POST", "/v1/points/sweeps", STAFF, ADMINS),
        Route("POST", "/v1/me/checkins", "member"),
        Route("GET", "/v1/me/checkins", "member"),
        Route("POST", "/v1/rewards", STAFF, WRITERS),
        Route("GET", "/v1/rewards", "any"),
        Route("PATCH", "/v1/rewards/{reward_id}", STAFF, WRITERS),
        Route("POST", "/v1/me/redemptions", "member"),
        Route("GET", "/v1/me/redemptions", "member"),
        # Agents fulfil and cancel redemptions at the desk, so they find them too.
        Route("GET", "/v1/redemptions", STAFF, SEE_ALL_CUSTOMERS),
        Route("POST", "/v1/redemptions/{redemption_id}/fulfil", STAFF, SEE_ALL_CUSTOMERS),
        Route("POST", "/v1/redemptions/{redemption_id}/cancel", STAFF, SEE_ALL_CUSTOMERS),
    ),
    publishes=tuple(EVENTS),
    consumers=(
        CONVERSIONS_CONSUMER,
        ORDERS_CONSUMER,
        CONTACTS_CONSUMER,
        EXPORTS_CONSUMER,
        JOURNEYS_CONSUMER,
        REFERRALS_CONSUMER,
    ),
    # Hourly rather than daily: lots expire at the end of each tenant's local day, whatever its zone.
    schedules=(Schedule("points-sweep", "services.points.handlers.sweep.handler", "rate(1 hour)"),),
    # gsi1: the sweep's due accounts and each member's redemptions; gsi2: the tenant's redemptions
    # by status, for staff.
    table=Table(indexes=(Index("gsi1", "gsi1pk", "gsi1sk"), Index("gsi2", "gsi2pk", "gsi2sk"))),
    files=True,  # PIPL export parts (logic/exports.py)
)
