"""Jobs (services/contacts/logic/jobs.py) and the contacts CSV import: API input/output and the
stored job."""

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints

from services.contacts.models import MAX_TAGS, IdentityValue, Key, PersonName, Tag
from shared.models import Model, Name, StrictModel

JobStatus = Literal["awaiting_upload", "queued", "running", "succeeded", "failed", "cancelled"]
FINISHED: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})
RUNNABLE: frozenset[str] = frozenset({"queued", "running"})
JobKindName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]


class Progress(Model):
    total: int | None = Field(default=None, description="Units to process, once known (an import: its data rows).")
    done: int = Field(default=0, description="Units processed, failed ones included.")
    failed: int = Field(default=0, description="Units that could not be processed (an import: rows reported).")


class Job(Model):
    """The stored job: one item, ``T#{tenant}#JOB#{job_id}`` / ``JOB``."""

    tenant_id: str
    job_id: str
    kind: str
    status: JobStatus
    progress: Progress = Field(default_factory=Progress)
    created_by: str
    created_at: str
    updated_at: str
    step: int = Field(default=0, description="The next step to run; a step event for another is stale.")
    cursor: str | None = Field(default=None, description="Where the next step starts (opaque to all but the kind).")
    params: dict[str, Any] = Field(default_factory=dict, description="What the job was started with.")
    result: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None
    deadline_at: str | None = Field(
        default=None, description="A job still queued or running then has failed (it is read so from then on)."
    )


class JobView(Model):
    job_id: str
    kind: str
    status: JobStatus = Field(
        description="awaiting_upload (an import waits for its file) → queued → running → succeeded | failed "
        "| cancelled."
    )
    progress: Progress
    created_by: str
    created_at: str
    updated_at: str
    params: dict[str, Any]
    result: dict[str, Any] = Field(
        description="Kind-specific. An import: created, updated, merged, unchanged and failed row counts."
    )
    error: str | None = Field(description="Why a failed job failed.")

    @classmethod
    def of(cls, job: Job) -> "JobView":
        return cls.model_validate(job.model_dump(include=set(cls.model_fields)))


class JobList(Model):
    items: list[JobView] = Field(description="Newest first. A page filtered by kind may be short; follow next_cursor.")
    next_cursor: str | None


# Import -----------------------------------------------------------------------------------------
CsvFileName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=5,
        max_length=200,
        pattern=r"(?i)^[^\x00-\x1f\x7f\"\\/:*?<>|]*[^\s\x00-\x1f\x7f\"\\/:*?<>|]\.csv$",
    ),
]


class ImportCreate(StrictModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    file_name: CsvFileName = Field(description="The CSV's name as the user chose it (ends with .csv).")


class ImportCreated(Model):
    job: JobView
    upload_url: str = Field(description="PUT the CSV's bytes here (a presigned URL; locally the stack's own).")
    expires_at: str = Field(description="When upload_url stops working.")


class RowProblem(Model):
    loc: list[str] = Field(description="The column (e.g. ['phone'], ['attr.size']), or ['row'] for the whole row.")
    msg: str


class RowError(Model):
    row: int = Field(description="The row's number in the file, the header being row 1.")
    errors: list[RowProblem]


class RowErrorList(Model):
    items: list[RowError] = Field(description="In file order.")
    next_cursor: str | None


class ImportRow(Model):
    """One data row of an import, as read from its columns (identities not yet normalised)."""

    name: PersonName | None = None
    phone: Annotated[IdentityValue, Field(max_length=32)] | None = None
    email: Annotated[IdentityValue, Field(max_length=254)] | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    attributes: dict[Key, Annotated[Name, StringConstraints(max_length=500)]] = Field(
        default_factory=dict, max_length=50
    )
