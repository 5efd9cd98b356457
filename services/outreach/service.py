"""The outreach service's declaration: reaching the right people at the right moment.

Message templates per channel with checked variables; consent, per-contact frequency caps (kept in
the data layer: a send and its cap counters are one transaction), quiet hours in the tenant's time
zone and channel rate limits; broadcasts (群发) to a segment or a list of contacts. Outreach keeps
its own copy of the contact facts it needs (consent, addresses, name, birthday, owners, WeCom
friendships, points, segment membership) from the other services' events. A WeCom 群发 is made by
the wecom service, which holds the corp's secrets: outreach dispatches each sending staff member's
share as an event and follows the task's confirmation and results from wecom's answers.
"""

from __future__ import annotations

from shared.auth.roles import ADMINS, STAFF_ROLES, WRITERS
from shared.events.outreach import EVENTS
from shared.manifest import Access, Consumer, Index, Route, Schedule, Service, Table

STAFF: Access = "staff"

# Outreach's copy of the facts it reaches contacts with, kept from the other services' events.
FACTS_CONSUMER = Consumer(
    name="outreach-facts",
    handler="services.outreach.handlers.facts.handler",
    patterns=(
        {
            "source": ["siyu.contacts"],
            "detail-type": [
                "ContactProfileChanged",
                "ContactLifecycleChanged",
                "SegmentMembershipChanged",
                "WeComCustomerIdentified",
            ],
        },
        {
            "source": ["siyu.points"],
            "detail-type": [
                "PointsAwarded",
                "PointsReversed",
                "PointsExpired",
                "PointsAdjusted",
                "RewardRedeemed",
                "RedemptionCancelled",
                "PointsAccountsMerged",
                "PointsExpiring",
            ],
        },
        {"source": ["siyu.wecom"], "detail-type": ["WeComContactRemoved", "WeComStaffChanged"]},
    ),
)
# Broadcasts: their audience planned page by page, WeCom's answers for their staff tasks, and the
# conversions they brought.
BROADCASTS_CONSUMER = Consumer(
    name="outreach-broadcasts",
    handler="services.outreach.handlers.broadcasts.handler",
    patterns=(
        {"source": ["siyu.outreach"], "detail-type": ["BroadcastStepped"]},
        {"source": ["siyu.wecom"], "detail-type": ["WeComMassMessageCreated", "WeComMassMessageProgressed"]},
        # A conversion through a code a broadcast links to, within 7 days of its sending.
        {"source": ["siyu.campaigns"], "detail-type": ["CampaignConversionRecorded"]},
    ),
    timeout_seconds=60,
)
# Journeys: the facts that enroll contacts, move waits for an event on, and reach goals.
JOURNEYS_CONSUMER = Consumer(
    name="outreach-journeys",
    handler="services.outreach.handlers.journeys.handler",
    patterns=(
        {
            "source": ["siyu.contacts"],
            "detail-type": [
                "ContactCreated",
                "ContactLifecycleChanged",
                "SegmentMembershipChanged",
                "WeComCustomerIdentified",
                "OrderBuyerIdentified",
            ],
        },
        {"source": ["siyu.campaigns"], "detail-type": ["CampaignConversionRecorded"]},
        {"source": ["siyu.points"], "detail-type": ["PointsExpiring", "TierChanged"]},
        {"source": ["siyu.cases"], "detail-type": ["CaseStatusChanged"]},
    ),
    timeout_seconds=60,
)
# Every minute: the broadcasts whose time has come and the journeys' waits that are due (both read
# from due indexes only), and the day's birthdays for the date journeys.
TICK_SCHEDULE = Schedule("outreach-tick", "services.outreach.handlers.tick.handler", "rate(1 minute)")

SERVICE = Service(
    name="outreach",
    api_handler="services.outreach.handlers.api.handler",
    routes=(
        Route("GET", "/v1/health/outreach", "public"),
        Route("GET", "/v1/outreach/settings", STAFF, WRITERS),
        Route("PUT", "/v1/outreach/settings", STAFF, ADMINS),
        Route("POST", "/v1/templates", STAFF, WRITERS),
        Route("GET", "/v1/templates", STAFF, STAFF_ROLES),
        Route("GET", "/v1/templates/{template_id}", STAFF, STAFF_ROLES),
        Route("PUT", "/v1/templates/{template_id}", STAFF, WRITERS),
        Route("DELETE", "/v1/templates/{template_id}", STAFF, WRITERS),
        Route("POST", "/v1/templates/{template_id}/preview", STAFF, STAFF_ROLES),
        Route("POST", "/v1/broadcasts/preview", STAFF, WRITERS),
        Route("POST", "/v1/broadcasts", STAFF, WRITERS),
        Route("GET", "/v1/broadcasts", STAFF, WRITERS),
        Route("GET", "/v1/broadcasts/{broadcast_id}", STAFF, WRITERS),
        Route("PUT", "/v1/broadcasts/{broadcast_id}", STAFF, WRITERS),
        Route("POST", "/v1/broadcasts/{broadcast_id}/cancel", STAFF, WRITERS),
        Route("GET", "/v1/broadcasts/{broadcast_id}/dispatches", STAFF, WRITERS),
        # Staff tasks: each staff member works their own; managers see everyone's and the overdue counts.
        Route("GET", "/v1/me/tasks", STAFF, STAFF_ROLES),
        Route("POST", "/v1/me/tasks/{task_id}/complete", STAFF, STAFF_ROLES),
        Route("POST", "/v1/me/tasks/{task_id}/skip", STAFF, STAFF_ROLES),
        Route("GET", "/v1/tasks", STAFF, WRITERS),
        Route("GET", "/v1/tasks/overdue-counts", STAFF, WRITERS),
        Route("POST", "/v1/journeys", STAFF, WRITERS),
        Route("GET", "/v1/journeys", STAFF, WRITERS),
        Route("GET", "/v1/journeys/{journey_id}", STAFF, WRITERS),
        Route("PUT", "/v1/journeys/{journey_id}", STAFF, WRITERS),
        Route("GET", "/v1/journeys/{journey_id}/versions", STAFF, WRITERS),
        Route("POST", "/v1/journeys/{journey_id}/pause", STAFF, WRITERS),
        Route("POST", "/v1/journeys/{journey_id}/resume", STAFF, WRITERS),
        Route("GET", "/v1/journeys/{journey_id}/stats", STAFF, WRITERS),
        Route("GET", "/v1/journey-templates", STAFF, WRITERS),
    ),
    publishes=tuple(EVENTS),
    # Wired as their handlers land (a declared handler that does not exist stops the stack).
    consumers=(FACTS_CONSUMER, BROADCASTS_CONSUMER, JOURNEYS_CONSUMER),
    schedules=(TICK_SCHEDULE,),
    table=Table(
        indexes=(
            Index("gsi1", "gsi1pk", "gsi1sk"),
            Index("gsi2", "gsi2pk", "gsi2sk"),
            Index("gsi3", "gsi3pk", "gsi3sk"),
        )
    ),
    reads_wechat_secret=True,  # official account template and mini-program subscribe messages
    files=True,  # a WeCom dispatch's recipients (the wecom service reads them)
)
