"""Insight routes: a contact's facts, RFM, lifecycle and lead score; the tenant's rules for them."""

from __future__ import annotations

from services.contacts.handlers.resolver import ContactId, api
from services.contacts.logic import contacts, insight
from services.contacts.models import InsightView, LifecycleRules
from services.contacts.score_models import LeadScoring, ScoreView
from shared.params import Cursor, Limit


@api.route("GET /v1/contacts/{contact_id}/insight")
def contact_insight(contact_id: ContactId) -> InsightView:
    """The contact's facts (first and last activity, last order, orders and amount over 365 days,
    points), its RFM scores and group, and its lifecycle stage with the next time-driven check."""
    contact = contacts.visible_contact(api.staff(), contact_id)
    return insight.get_view(contact.tenant_id, contact.contact_id)


@api.route("GET /v1/lifecycle-rules")
def get_lifecycle_rules() -> LifecycleRules:
    """The tenant's lifecycle rules (the defaults until an admin sets them)."""
    return insight.lifecycle_rules(api.staff().tenant_id)


@api.route("PUT /v1/lifecycle-rules")
def put_lifecycle_rules(body: LifecycleRules) -> LifecycleRules:
    """Set the lifecycle rules: each contact is reassessed under them at its next fact or check."""
    return insight.set_lifecycle_rules(api.staff().tenant_id, body)


@api.route("GET /v1/contacts/{contact_id}/score")
def contact_score(contact_id: ContactId, limit: Limit = 50, cursor: Cursor = None) -> ScoreView:
    """The contact's lead score and grade today, and the contributions that make it (newest first,
    each with the points it earned and what they are worth after decay)."""
    contact = contacts.visible_contact(api.staff(), contact_id)
    return insight.score_of(contact.tenant_id, contact.contact_id, limit, cursor)


@api.route("GET /v1/lead-scoring")
def get_lead_scoring() -> LeadScoring:
    """The tenant's lead scoring rules, decay and grade thresholds."""
    return insight.lead_scoring(api.staff().tenant_id)


@api.route("PUT /v1/lead-scoring")
def put_lead_scoring(body: LeadScoring) -> LeadScoring:
    """Set the lead scoring: rules score the facts from now on; earned points stay and decay."""
    return insight.set_lead_scoring(api.staff().tenant_id, body)
