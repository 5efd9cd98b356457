"""The cases service's declaration (a skeleton until its issue lands).

It already keeps its own directory of contact owners, fed by contacts' events: routing a case to
"the contact's owner first" needs it, and no service reads another's table.
"""

from __future__ import annotations

from shared.manifest import Consumer, Route, Service, Table

SERVICE = Service(
    name="cases",
    api_handler="services.cases.handlers.api.handler",
    routes=(Route("GET", "/v1/health/cases", "public"),),
    consumers=(
        Consumer(
            name="cases-contact-directory",
            handler="services.cases.handlers.contact_directory.handler",
            patterns=(
                {
                    "source": ["siyu.contacts"],
                    "detail-type": ["ContactCreated", "ContactOwnerChanged", "ContactErased"],
                },
            ),
        ),
    ),
    table=Table(),
)
