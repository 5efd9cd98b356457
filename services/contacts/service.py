"""The contacts service's declaration: the unified customer profile."""

from __future__ import annotations

from shared.auth.roles import STAFF_ROLES, WRITERS
from shared.events.contacts import EVENTS
from shared.manifest import Access, Consumer, Index, Route, Service, Table

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

SERVICE = Service(
    name="contacts",
    api_handler="services.contacts.handlers.api.handler",
    routes=(
        Route("POST", "/v1/auth/wechat", "public"),
        Route("POST", "/v1/contacts", STAFF, WRITERS),
        Route("GET", "/v1/contacts", STAFF, STAFF_ROLES),
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
        Route("GET", "/v1/me", "member"),
        Route("PATCH", "/v1/me", "member"),
        Route("POST", "/v1/me/phone", "member"),
        Route("GET", "/v1/health/contacts", "public"),
    ),
    publishes=tuple(EVENTS),
    consumers=(SCANS_CONSUMER, ORDERS_CONSUMER),
    table=Table(indexes=(Index("gsi1", "gsi1pk", "gsi1sk"),)),
    reads_token_secret=True,
    reads_wechat_secret=True,
    layers=("jwt",),  # member tokens are signed at login (PyJWT, HS256: no cryptography needed)
)
