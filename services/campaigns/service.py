"""The campaigns service's declaration: campaigns, channel codes, scans, attribution, statistics."""

from __future__ import annotations

from shared.events.campaigns import EVENTS
from shared.manifest import STAFF_ROLES, WRITERS, Access, Consumer, Index, Route, Service, Table

STAFF: Access = "staff"
READERS = STAFF_ROLES

SERVICE = Service(
    name="campaigns",
    api_handler="services.campaigns.handlers.api.handler",
    routes=(
        Route("GET", "/v1/health/campaigns", "public"),
        Route("POST", "/v1/campaigns", STAFF, WRITERS),
        Route("GET", "/v1/campaigns", STAFF, READERS),
        Route("GET", "/v1/campaigns/{campaign_id}", STAFF, READERS),
        Route("PATCH", "/v1/campaigns/{campaign_id}", STAFF, WRITERS),
        Route("POST", "/v1/campaigns/{campaign_id}/activate", STAFF, WRITERS),
        Route("POST", "/v1/campaigns/{campaign_id}/pause", STAFF, WRITERS),
        Route("POST", "/v1/campaigns/{campaign_id}/end", STAFF, WRITERS),
        Route("POST", "/v1/campaigns/{campaign_id}/codes", STAFF, WRITERS),
        Route("GET", "/v1/campaigns/{campaign_id}/codes", STAFF, READERS),
        Route("GET", "/v1/campaigns/{campaign_id}/stats", STAFF, READERS),
        Route("GET", "/v1/codes/{code}/qr.svg", STAFF, READERS, binary=True),
        Route("GET", "/v1/codes/{code}/qr.png", STAFF, READERS, binary=True),
        Route("POST", "/v1/scans", "member"),
    ),
    publishes=tuple(EVENTS),
    consumers=(
        Consumer(
            name="campaigns-attribution",
            handler="services.campaigns.handlers.attribution.handler",
            patterns=({"source": ["siyu.contacts"], "detail-type": ["ScanAttributed"]},),
        ),
    ),
    table=Table(indexes=(Index("gsi1", "gsi1pk", "gsi1sk"),)),
    layers=("segno",),
)
