"""Segment routes: dynamic and static segments, their counts and members, previews, templates."""

from __future__ import annotations

from typing import Annotated

from services.contacts.handlers.resolver import api
from services.contacts.logic import segments
from services.contacts.segment_models import (
    PreviewAnswer,
    RulePreview,
    SegmentList,
    SegmentMembers,
    SegmentTemplateList,
    SegmentView,
    SegmentWrite,
    StaticMembers,
)
from shared.params import Cursor, Limit, Path

SegmentId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@api.route("POST /v1/segments", status=201)
def create_segment(body: SegmentWrite) -> SegmentView:
    """Create a segment: dynamic (a rule; its members are found by a backfill job, then kept
    current with every contact change) or static (a list of contacts)."""
    return segments.create(api.staff(), body)


@api.route("GET /v1/segments")
def list_segments() -> SegmentList:
    """Every segment of the tenant with its live count."""
    return segments.list_segments(api.staff().tenant_id)


@api.route("GET /v1/segments/{segment_id}")
def get_segment(segment_id: SegmentId) -> SegmentView:
    """A segment and its count (one read)."""
    return segments.get(api.staff().tenant_id, segment_id)


@api.route("PUT /v1/segments/{segment_id}")
def update_segment(segment_id: SegmentId, body: SegmentWrite) -> SegmentView:
    """Rename a segment or change its rule (a new rule backfills again)."""
    return segments.update(api.staff(), segment_id, body)


@api.route("DELETE /v1/segments/{segment_id}", status=204)
def delete_segment(segment_id: SegmentId) -> None:
    """Delete a segment."""
    segments.delete(api.staff(), segment_id)


@api.route("GET /v1/segments/{segment_id}/members")
def segment_members(segment_id: SegmentId, limit: Limit = 50, cursor: Cursor = None) -> SegmentMembers:
    """The segment's members, by contact id, paged."""
    return segments.members(api.staff().tenant_id, segment_id, limit, cursor)


@api.route("POST /v1/segments/{segment_id}/members")
def change_static_members(segment_id: SegmentId, body: StaticMembers) -> SegmentView:
    """Add contacts to a static segment or remove them."""
    return segments.change_static(api.staff(), segment_id, body)


@api.route("POST /v1/segments/preview")
def preview_segment(body: RulePreview) -> PreviewAnswer:
    """Try a rule without saving it: the share of the tenant's first contacts it matches, and some of them."""
    return segments.preview(api.staff().tenant_id, body.rule)


@api.route("GET /v1/segment-templates")
def segment_templates() -> SegmentTemplateList:
    """Ready-made rules for the classic crowds (新客, 活跃会员, 高价值, 沉睡, 流失风险 …)."""
    return SegmentTemplateList(items=segments.templates())
