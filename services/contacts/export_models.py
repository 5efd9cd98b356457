"""Bulk tagging, segment CSV exports and PIPL exports of one contact:
API input and output. The jobs themselves are ``job_models.Job``."""

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from services.contacts.job_models import CsvFileName
from services.contacts.models import Tag
from shared.models import Model, StrictModel

MAX_INLINE_IDS = 1_000  # a body of 1,000 ids stays far below the API's 256 KiB

ContactIdValue = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
SegmentIdValue = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class BulkTagRequest(StrictModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    tag: Tag
    action: Literal["add", "remove"] = Field(
        description="add: set the tag (a tag of a single-choice group replaces its siblings); remove: take it off."
    )
    segment_id: SegmentIdValue | None = Field(default=None, description="Tag the segment's members (as they are read).")
    contact_ids: list[ContactIdValue] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_INLINE_IDS,
        description=f"Tag these contacts (at most {MAX_INLINE_IDS}; for more, a segment).",
    )

    @model_validator(mode="after")
    def _one_target(self) -> "BulkTagRequest":
        if (self.segment_id is None) == (self.contact_ids is None):
            raise ValueError("name either segment_id or contact_ids")
        return self


class BulkTagUpload(StrictModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    tag: Tag
    action: Literal["add", "remove"]
    file_name: CsvFileName = Field(
        description="The file's name (ends with .csv): one contact id a line, an optional contact_id header."
    )


class Download(Model):
    url: str = Field(description="GET the file here (a presigned URL, made for this answer; short-lived).")
    expires_at: str = Field(description="When url stops working.")
    file_name: str


# The CSV of a segment export, in this order (docs/decisions.md, "Exports").
SEGMENT_EXPORT_COLUMNS = (
    "contact_id",
    "name",
    "phone",
    "email",
    "tags",
    "lifecycle",
    "rfm_group",
    "lead_grade",
    "points_balance",
    "points_tier",
    "source_channel",
    "created_at",
)
