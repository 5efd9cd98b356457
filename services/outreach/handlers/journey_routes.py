"""Journeys (SOP): build, version, run, pause, follow."""

from __future__ import annotations

from typing import Annotated

from services.outreach.handlers.resolver import api
from services.outreach.journey_models import (
    JourneyChange,
    JourneyDefinition,
    JourneyList,
    JourneyStats,
    JourneyTemplateList,
    JourneyVersionList,
    JourneyView,
)
from services.outreach.logic import journey_templates, journeys
from shared.params import Cursor, Limit, Path, Query

JourneyId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]


@api.route("POST /v1/journeys", status=201, idempotent=True, errors=(422,))
def create_journey(body: JourneyDefinition) -> JourneyView:
    """Save a journey as a draft, its graph checked (resume makes it live; accepts Idempotency-Key)."""
    return journeys.create(api.staff(), body, api.idempotency_key())


@api.route("GET /v1/journeys")
def list_journeys(limit: Limit = 50, cursor: Cursor = None) -> JourneyList:
    """Journeys, newest first, each with its latest graph."""
    return journeys.listing(api.staff().tenant_id, limit, cursor)


@api.route("GET /v1/journeys/{journey_id}", errors=(404,))
def read_journey(journey_id: JourneyId) -> JourneyView:
    """A journey and its latest graph."""
    return journeys.view(api.staff().tenant_id, journey_id)


@api.route("PUT /v1/journeys/{journey_id}", errors=(404, 409, 422))
def change_journey(journey_id: JourneyId, body: JourneyChange) -> JourneyView:
    """A new version of the graph: contacts already in the journey finish on the version they entered."""
    return journeys.change(api.staff(), journey_id, body)


@api.route("GET /v1/journeys/{journey_id}/versions", errors=(404,))
def list_journey_versions(journey_id: JourneyId, limit: Limit = 50, cursor: Cursor = None) -> JourneyVersionList:
    """The journey's versions, newest first."""
    return journeys.versions(api.staff().tenant_id, journey_id, limit, cursor)


@api.route("POST /v1/journeys/{journey_id}/pause", errors=(404, 409))
def pause_journey(journey_id: JourneyId) -> JourneyView:
    """Pause: no one enters, no one moves on, until it is resumed."""
    return journeys.pause(api.staff().tenant_id, journey_id)


@api.route("POST /v1/journeys/{journey_id}/resume", errors=(404, 409))
def resume_journey(journey_id: JourneyId) -> JourneyView:
    """Make a draft or paused journey live."""
    return journeys.resume(api.staff().tenant_id, journey_id)


@api.route("GET /v1/journeys/{journey_id}/stats", errors=(404,))
def journey_stats(
    journey_id: JourneyId, version: Annotated[int | None, Query(ge=1, le=1_000_000_000)] = None
) -> JourneyStats:
    """Per step: entered, waiting, passed, exited; for the version: enrolled, active, exited, converted."""
    return journeys.stats(api.staff().tenant_id, journey_id, version)


@api.route("GET /v1/journey-templates")
def list_journey_templates() -> JourneyTemplateList:
    """Ready-made journeys: welcome series, birthday gift, dormant win-back, points-expiry reminder,
    post-case follow-up (choose the templates of their send steps before saving)."""
    return JourneyTemplateList(items=journey_templates.catalogue())
