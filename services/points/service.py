"""The points service's declaration: the member points ledger (微积分)."""

from __future__ import annotations

from shared.events.points import EVENTS
from shared.manifest import Access, Consumer, Route, Service, Table

STAFF: Access = "staff"
# Guides are left out until points keeps its own copy of who owns which contact.
LEDGER_READERS = frozenset({"admin", "manager", "agent"})

SERVICE = Service(
    name="points",
    api_handler="services.points.handlers.api.handler",
    routes=(
        Route("GET", "/v1/health/points", "public"),
        Route("GET", "/v1/me/points", "member"),
        Route("GET", "/v1/me/points/entries", "member"),
        Route("GET", "/v1/contacts/{contact_id}/points", STAFF, LEDGER_READERS),
        Route("GET", "/v1/points/policy", STAFF, frozenset({"admin", "manager"})),
        Route("PUT", "/v1/points/policy", STAFF, frozenset({"admin"})),
        Route("POST", "/v1/me/checkins", "member"),
        Route("GET", "/v1/me/checkins", "member"),
    ),
    publishes=tuple(EVENTS),
    consumers=(
        Consumer(
            name="points-conversions",
            handler="services.points.handlers.conversions.handler",
            patterns=({"source": ["siyu.campaigns"], "detail-type": ["CampaignConversionRecorded"]},),
        ),
    ),
    table=Table(),
)
