"""Bulk tagging, segment exports, PIPL exports of one contact and the files export jobs make.
Parse, authorise, call the logic, shape the answer."""

from __future__ import annotations

from services.contacts.export_models import BulkTagRequest, BulkTagUpload, Download
from services.contacts.handlers.resolver import ContactId, api
from services.contacts.handlers.segment_routes import SegmentId
from services.contacts.job_models import ImportCreated, JobView
from shared.params import Id


@api.route("POST /v1/contacts/bulk-tags", status=202, errors=(404,))
def bulk_tag(body: BulkTagRequest) -> JobView:
    """Set a tag on (or take it off) a segment's members or up to 1,000 listed contacts, as a job."""
    from services.contacts.logic import bulk_tags

    return JobView.of(bulk_tags.start(api.staff(), body))


@api.route("POST /v1/contacts/bulk-tags/uploads", status=201)
def bulk_tag_upload(body: BulkTagUpload) -> ImportCreated:
    """Bulk tagging of up to 100,000 contacts listed in a file: PUT the file (one id a line) to
    upload_url, then start it."""
    from services.contacts.logic import bulk_tags

    return bulk_tags.create_upload(api.staff(), body)


@api.route("POST /v1/contacts/bulk-tags/{job_id}/start", status=202, errors=(409,))
def bulk_tag_start(job_id: Id) -> JobView:
    """Start a bulk tagging whose file is uploaded (409: not uploaded yet, or started already)."""
    from services.contacts.logic import bulk_tags

    return JobView.of(bulk_tags.start_upload(api.staff(), job_id))


@api.route("POST /v1/contacts/profile-snapshots/republish", status=202)
def republish_profiles() -> JobView:
    """Publish every contact's profile snapshot again, as a job (for a service that keeps a copy of
    contacts and was deployed after them: it takes what is newer than its copy)."""
    from services.contacts.logic import profile_republish

    return JobView.of(profile_republish.start(api.staff()))


@api.route("POST /v1/segments/{segment_id}/exports", status=202)
def export_segment(segment_id: SegmentId) -> JobView:
    """Export a segment's members to a CSV file, as a job; GET /v1/jobs/{job_id}/download offers it."""
    from services.contacts.logic import segment_export

    return JobView.of(segment_export.start(api.staff(), segment_id))


@api.route("POST /v1/contacts/{contact_id}/export", status=202, errors=(409,))
def export_contact(contact_id: ContactId) -> JobView:
    """A personal-data (PIPL) export of the contact from every service, as one JSON bundle (409:
    the contact was erased)."""
    from services.contacts.logic import contact_export

    return JobView.of(contact_export.request(api.staff(), contact_id))


@api.route("GET /v1/jobs/{job_id}/download", errors=(409,))
def job_download(job_id: Id) -> Download:
    """A short-lived URL to the file a finished export job made (409: not finished yet)."""
    from services.contacts.logic import downloads

    return downloads.download(api.staff(), job_id)
