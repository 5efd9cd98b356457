"""Message templates: create, list, read, change, delete and preview filled for a contact."""

from __future__ import annotations

from typing import Annotated

from services.outreach.handlers.resolver import api
from services.outreach.logic import templates
from services.outreach.models import Channel
from services.outreach.template_models import (
    TemplateChange,
    TemplateCreate,
    TemplateList,
    TemplatePreview,
    TemplatePreviewRequest,
    TemplateView,
)
from shared.params import Cursor, Limit, Path, Query

TemplateId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ChannelFilter = Annotated[Channel | None, Query(description="Only the templates of this channel.")]


@api.route("POST /v1/templates", status=201, idempotent=True, description=templates.SYNTAX)
def create_template(body: TemplateCreate) -> TemplateView:
    """Create a template; its variables are checked (accepts Idempotency-Key)."""
    staff = api.staff()
    return templates.create(staff.tenant_id, staff.staff_id, body, api.idempotency_key())


@api.route("GET /v1/templates")
def list_templates(limit: Limit = 50, cursor: Cursor = None, channel: ChannelFilter = None) -> TemplateList:
    """The tenant's templates, newest first (of one channel: a page may hold fewer than ``limit``
    while ``next_cursor`` says more follow)."""
    return templates.listing(api.staff().tenant_id, channel, limit, cursor)


@api.route("GET /v1/templates/{template_id}")
def read_template(template_id: TemplateId) -> TemplateView:
    """A template, with the variables it uses."""
    return templates.view(templates.get(api.staff().tenant_id, template_id))


@api.route("PUT /v1/templates/{template_id}", description=templates.SYNTAX)
def change_template(template_id: TemplateId, body: TemplateChange) -> TemplateView:
    """Replace a template, on the version read (a stale version is a 409). Broadcasts already made
    keep the content they were made with."""
    return templates.change(api.staff().tenant_id, template_id, body)


@api.route("DELETE /v1/templates/{template_id}", status=204)
def delete_template(template_id: TemplateId) -> None:
    """Delete a template. Broadcasts already made (scheduled ones too) keep their copy of it."""
    templates.delete(api.staff().tenant_id, template_id)


@api.route("POST /v1/templates/{template_id}/preview")
def preview_template(template_id: TemplateId, body: TemplatePreviewRequest) -> TemplatePreview:
    """The template filled for a contact (from outreach's copy of its facts), with sample values,
    or with each variable's example."""
    return templates.preview(api.staff().tenant_id, template_id, body)
