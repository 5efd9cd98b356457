"""CSV import of contacts: up to 100,000 rows as a job (``logic/jobs.py``).

Flow: ``POST /v1/contacts/imports {file_name}`` creates the job (``awaiting_upload``) and answers
a URL the client PUTs the CSV to (a presigned S3 URL; the local stack's own signed URL locally);
``POST /v1/contacts/imports/{job_id}/start`` queues it (409 before the file is there or when
started already; 422 for a file over ``MAX_FILE_BYTES``). An explicit start rather than an S3
event: it works the same in the local stack and tells the client at once when the upload is
missing.

The file: UTF-8 (a BOM is skipped), a header row naming columns ``name``, ``phone``, ``email``,
``tags`` (several separated by ``|`` or ``;``) and ``attr.<name>`` (one custom attribute per
column, its value kept as text), in any order and case; at least ``phone`` or ``email``. Another
column, a repeated one, a header that is not UTF-8 text, or more than ``MAX_ROWS`` data rows: the
job fails with that message before importing anything (step 0 reads the whole file once to check
the header and count the rows: ``progress.total``).

Each later step imports up to ``ROWS_PER_STEP`` rows from its cursor (the byte offset and row
number where the previous step stopped: the file is streamed, never held whole). A row is
validated (the phone to E.164 as staff creation does, the email lower-cased, tags and attributes
as the API bounds them); a malformed row is reported (``GET /v1/contacts/imports/{job_id}/errors``,
``{row, errors: [{loc, msg}]}``, ``loc`` the column) and skipped, the rest imported. Blank lines
are skipped and not counted.

A valid row is an upsert by identity (``merging.upsert``'s rules):
- its phone and email belong to no contact → a new contact, source ``{type: import, channel:
  import, job_id}`` (created);
- they belong to one contact → the row fills what that contact lacks: tags are united, a profile
  field or attribute is set only where the contact has none, its first touch stays (staff data is
  never overwritten) → updated, or unchanged when it adds nothing (no write, no event);
- they belong to two contacts → the two merge when that is safe (merged), else the pair becomes a
  merge candidate and the row is reported;
- the row names an identity of a contact holding another value of the same kind (its phone
  belongs to a contact with another email) → reported, nothing changed.
So importing the same file again changes nothing: every row finds its contact with nothing to add.

For speed, rows are decided in batches of ``ROWS_PER_BATCH`` from batch reads of their identities
and contacts, and written many contacts to a transaction (each with its ContactCreated or
ContactUpdated event, exactly as one-by-one writes); rows of one batch naming the same person fold
into one write. A row that needs a merge, or a group whose transaction loses a race, is applied
one row at a time through ``merging.upsert``. Every write is conditional on the state it was
decided from, so a step retried after a crash re-applies its rows idempotently. The counts
(``result``: created, updated, merged, unchanged, failed) are exact, except that rows a crashed
step had already written count as unchanged when the step is retried.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from pydantic import BaseModel, ValidationError

from services.contacts.dal import contacts as contacts_dal
from services.contacts.dal import jobs as jobs_dal
from services.contacts.job_models import (
    ImportCreate,
    ImportCreated,
    ImportRow,
    Job,
    JobView,
    Progress,
    RowError,
    RowProblem,
)
from services.contacts.logic import jobs, merging, tag_groups
from services.contacts.logic.contacts import new_contact
from services.contacts.logic.identities import normalise_email, normalise_phone
from services.contacts.models import Contact, Identities
from shared import files
from shared.auth.principal import StaffPrincipal
from shared.auth.roles import WRITERS
from shared.clock import now_rfc3339, rfc3339
from shared.dynamo import MAX_TRANSACTION_ITEMS
from shared.errors import ConcurrentUpdate, Conflict, Unprocessable
from shared.events import contacts as events

KIND_NAME = "contacts_import"
MAX_ROWS = 100_000
MAX_FILE_BYTES = 64 * 1024 * 1024  # 100k rows of ~600 bytes each
MAX_ATTRIBUTE_COLUMNS = 50
ROWS_PER_STEP = 500
ROWS_PER_BATCH = 100
MAX_REPORTED_ROWS = 10_000  # row errors kept for the report; progress.failed counts them all
UPLOAD_SECONDS = 3600
READ_CHUNK = 64 * 1024
FIELDS = ("name", "phone", "email", "tags")
ATTRIBUTE_PREFIX = "attr."
TAG_SEPARATORS = ("|", ";")
COUNTS = ("created", "updated", "merged", "unchanged", "failed")
BOM = b"\xef\xbb\xbf"


def file_key(tenant_id: str, job_id: str) -> str:
    return files.key("contacts", "imports", tenant_id, f"{job_id}.csv")


# Routes' logic ------------------------------------------------------------------------------------
def create_import(staff: StaffPrincipal, request: ImportCreate) -> ImportCreated:
    job = jobs.create(staff, KIND_NAME, {"file_name": request.file_name}, start=False)
    # Real time, not business time: S3 checks a presigned URL's expiry against its own clock.
    expires_at = rfc3339(datetime.now(UTC) + timedelta(seconds=UPLOAD_SECONDS))
    url = files.upload_url(file_key(staff.tenant_id, job.job_id), UPLOAD_SECONDS)
    return ImportCreated(job=JobView.of(job), upload_url=url, expires_at=expires_at)


def start_import(staff: StaffPrincipal, job_id: str) -> Job:
    job = jobs.visible(staff, job_id, KIND_NAME)
    if job.status == "awaiting_upload":
        size = files.size(file_key(staff.tenant_id, job_id))
        if size is None:
            raise Conflict("Upload the file to upload_url before starting the import.", reason="file_missing")
        if size > MAX_FILE_BYTES:
            raise Unprocessable(
                f"The file is {size} bytes; an import takes at most {MAX_FILE_BYTES} bytes ({MAX_ROWS} rows).",
                [{"loc": ["file"], "msg": "too large"}],
            )
    return jobs.start(job)


def row_errors(staff: StaffPrincipal, job_id: str, limit: int, cursor: str | None) -> tuple[list[RowError], str | None]:
    job = jobs.visible(staff, job_id, KIND_NAME)
    return jobs_dal.row_errors(staff.tenant_id, job.job_id, limit, cursor)


# Reading the file ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    row: int  # the header is row 1
    end: int  # byte offset just past it
    raw: bytes


def _lines(handle: IO[bytes]) -> Iterator[bytes]:
    pending = b""
    while chunk := handle.read(READ_CHUNK):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line + b"\n"
    if pending:
        yield pending


def records(handle: IO[bytes], offset: int, row: int) -> Iterator[Record]:
    """The CSV's records from byte ``offset`` (the start of row ``row + 1``): a quoted value may
    span lines, so a record ends at a line end with its quotes balanced."""
    raw, quotes = b"", 0
    for line in _lines(handle):
        raw += line
        quotes += line.count(b'"')
        if quotes % 2 == 0:
            offset += len(raw)
            row += 1
            yield Record(row, offset, raw)
            raw, quotes = b"", 0
    if raw:  # an unterminated quote runs to the end of the file: one malformed record
        yield Record(row + 1, offset + len(raw), raw)


def _values(raw: bytes) -> list[str]:
    """A record's values; ``ValueError`` when it is not UTF-8 or not one CSV record."""
    text = raw.decode("utf-8")
    parsed = list(csv.reader(io.StringIO(text), strict=True))
    if len(parsed) != 1:
        raise ValueError("not one CSV record")
    return parsed[0]


def _blank(raw: bytes) -> bool:
    return not raw.strip(b" \t\r\n,")


def parse_header(raw: bytes) -> list[str]:
    """The header's columns, checked; ``jobs.JobFailed`` names what is wrong."""
    try:
        columns = [value.strip().lower() for value in _values(raw.removeprefix(BOM))]
    except (ValueError, csv.Error):
        raise jobs.JobFailed("The file is not a UTF-8 CSV with a header row.") from None
    allowed = ", ".join(FIELDS) + f", {ATTRIBUTE_PREFIX}<name>"
    for column in columns:
        name = column.removeprefix(ATTRIBUTE_PREFIX)
        if column not in FIELDS and not (column.startswith(ATTRIBUTE_PREFIX) and name):
            raise jobs.JobFailed(f"Unknown column {column[:64]!r} in the header; the columns are {allowed}.")
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    if repeated:
        raise jobs.JobFailed(f"The header names {repeated[0][:64]!r} twice.")
    if "phone" not in columns and "email" not in columns:
        raise jobs.JobFailed("The header needs a phone or an email column: contacts are matched by them.")
    if sum(column.startswith(ATTRIBUTE_PREFIX) for column in columns) > MAX_ATTRIBUTE_COLUMNS:
        raise jobs.JobFailed(f"At most {MAX_ATTRIBUTE_COLUMNS} attribute columns.")
    return columns


# Steps ---------------------------------------------------------------------------------------------
@dataclass
class Cursor:
    offset: int
    row: int
    columns: list[str]

    def dump(self) -> str:
        return json.dumps({"offset": self.offset, "row": self.row, "columns": self.columns}, ensure_ascii=False)

    @classmethod
    def load(cls, text: str | None) -> Cursor:
        values = json.loads(text or "{}")
        return cls(int(values["offset"]), int(values["row"]), list(values["columns"]))


def step(job: Job) -> jobs.StepOutcome:
    if job.step == 0:
        return _scan(job)
    return _import(job)


def _scan(job: Job) -> jobs.StepOutcome:
    """Step 0: the header checked and the data rows counted, before anything is imported."""
    total, columns, header_end = 0, None, 0
    try:
        with files.opened(file_key(job.tenant_id, job.job_id)) as handle:
            for record in records(handle, 0, 0):
                if columns is None:
                    columns, header_end = parse_header(record.raw), record.end
                elif not _blank(record.raw):
                    total += 1
                    if total > MAX_ROWS:
                        raise jobs.JobFailed(f"The file has more than {MAX_ROWS} rows; split it and import each part.")
    except files.FileMissing:
        raise jobs.JobFailed(f"The file is gone (uploads are kept {files.RETENTION_DAYS} days).") from None
    if columns is None:
        raise jobs.JobFailed("The file is empty: it needs a header row.")
    cursor = Cursor(header_end, 1, columns)
    result = dict.fromkeys(COUNTS, 0)
    return jobs.StepOutcome(Progress(total=total), cursor.dump(), result, finished=total == 0)


def _import(job: Job) -> jobs.StepOutcome:
    cursor = Cursor.load(job.cursor)
    counts = {name: int(job.result.get(name, 0)) for name in COUNTS}
    progress = job.progress.model_copy()
    budget = jobs.Budget(ROWS_PER_STEP)
    importer = _Importer(job)
    finished = True
    try:
        with files.opened(file_key(job.tenant_id, job.job_id), cursor.offset) as handle:
            batch: list[Record] = []
            used = 0
            for record in records(handle, cursor.offset, cursor.row):
                batch.append(record)
                if len(batch) < ROWS_PER_BATCH:
                    continue
                importer.apply(batch, cursor.columns)
                used += len(batch)
                cursor.offset, cursor.row = batch[-1].end, batch[-1].row
                batch = []
                if budget.spent(used):
                    finished = False
                    break
            if batch:
                importer.apply(batch, cursor.columns)
                cursor.offset, cursor.row = batch[-1].end, batch[-1].row
    except files.FileMissing:
        raise jobs.JobFailed(f"The file is gone (uploads are kept {files.RETENTION_DAYS} days).") from None
    reported = importer.errors[: max(0, MAX_REPORTED_ROWS - progress.failed)]
    jobs_dal.put_row_errors(job.tenant_id, job.job_id, reported)
    for name, value in importer.counts.items():
        counts[name] += value
    counts["failed"] += len(importer.errors)
    progress.done += importer.done
    progress.failed += len(importer.errors)
    return jobs.StepOutcome(progress, cursor.dump(), counts, finished=finished)


# Rows ----------------------------------------------------------------------------------------------
@dataclass
class _Row:
    row: int
    contact: Contact  # the row as a contact not yet saved
    identities: list[tuple[str, str]]


def _problems(error: ValidationError) -> list[RowProblem]:
    found = []
    for item in error.errors(include_url=False, include_input=False):
        loc = item.get("loc", ())
        column = str(loc[0]) if loc else "row"
        if column == "attributes" and len(loc) > 1:
            column = f"{ATTRIBUTE_PREFIX}{loc[1]}"
        found.append(RowProblem(loc=[column], msg=str(item.get("msg", ""))))
    return found


def parse_row(
    record: Record, columns: list[str], job: Job, now: str, exclusive: tag_groups.Exclusive | None = None
) -> _Row | RowError:
    """A record as a contact to upsert, or what is wrong with it. ``exclusive``: the tenant's
    single-choice groups, of which a row keeps the last tag it names."""
    try:
        values = _values(record.raw)
    except (ValueError, csv.Error):
        return RowError(row=record.row, errors=[RowProblem(loc=["row"], msg="not a UTF-8 CSV row")])
    if len(values) > len(columns) and any(value.strip() for value in values[len(columns) :]):
        message = f"{len(values)} values for {len(columns)} columns"
        return RowError(row=record.row, errors=[RowProblem(loc=["row"], msg=message)])
    cells = {column: value.strip() for column, value in zip(columns, values, strict=False) if value.strip()}
    fields: dict[str, Any] = {key: cells[key] for key in ("name", "phone", "email") if key in cells}
    raw_tags = cells.get("tags", "")
    for separator in TAG_SEPARATORS[1:]:
        raw_tags = raw_tags.replace(separator, TAG_SEPARATORS[0])
    named = [tag.strip() for tag in raw_tags.split(TAG_SEPARATORS[0]) if tag.strip()]
    fields["tags"] = sorted(tag_groups.one_per_group(named, exclusive or {}))
    fields["attributes"] = {
        column.removeprefix(ATTRIBUTE_PREFIX): value
        for column, value in cells.items()
        if column.startswith(ATTRIBUTE_PREFIX)
    }
    try:
        parsed = ImportRow.model_validate(fields)
    except ValidationError as error:
        return RowError(row=record.row, errors=_problems(error))
    problems: list[RowProblem] = []
    phone = email = None
    try:
        phone = normalise_phone(parsed.phone) if parsed.phone else None
    except Unprocessable:
        problems.append(RowProblem(loc=["phone"], msg="not a phone number"))
    try:
        email = normalise_email(parsed.email) if parsed.email else None
    except Unprocessable:
        problems.append(RowProblem(loc=["email"], msg="not an email address"))
    if not problems and phone is None and email is None:
        problems.append(RowProblem(loc=["row"], msg="a row needs a phone or an email"))
    if problems:
        return RowError(row=record.row, errors=problems)
    identities = Identities(phone=phone, email=email)
    contact = new_contact(
        job.tenant_id,
        name=parsed.name,
        identities=identities,
        tags=parsed.tags,
        attributes=parsed.attributes,
        source={"type": "import", "channel": "import", "job_id": job.job_id, "acquired_at": now},
    )
    return _Row(record.row, contact, list(identities.by_kind().items()))


@dataclass
class _Pending:
    """A contact the batch will write: as read (None: new) and as it is to become."""

    before: Contact | None
    after: Contact
    rows: list[tuple[_Row, str]] = field(default_factory=list)  # each row and its outcome


class _Importer:
    """Applies a step's rows: decides each from batch reads, writes many contacts per transaction."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.tenant_id = job.tenant_id
        self.actor = merging.Actor("staff", job.created_by)
        self.counts = dict.fromkeys(COUNTS[:-1], 0)
        self.errors: list[RowError] = []
        self.done = 0
        self.exclusive = tag_groups.exclusive_tags(self.tenant_id)  # once a step
        self._reset()

    def _reset(self) -> None:
        self.holders: dict[tuple[str, str], str] = {}
        self.pending: dict[str, _Pending] = {}
        self.known: dict[str, Contact | None] = {}  # contacts read, by id (None: not a live contact)

    def apply(self, batch: list[Record], columns: list[str]) -> None:
        """Apply a batch of records (blank lines are skipped, not counted)."""
        now = now_rfc3339()
        rows: list[_Row] = []
        for record in batch:
            if _blank(record.raw):
                continue
            self.done += 1
            parsed = parse_row(record, columns, self.job, now, self.exclusive)
            if isinstance(parsed, RowError):
                self.errors.append(parsed)
            else:
                rows.append(parsed)
        self._read(rows)
        for index, row in enumerate(rows):
            if not self._decide(row):
                self._flush()
                self._one_by_one(row)
                self._reset()
                self._read(rows[index + 1 :])
        self._flush()
        self._reset()

    def _read(self, rows: list[_Row]) -> None:
        wanted = [identity for row in rows for identity in row.identities if identity not in self.holders]
        self.holders.update(jobs_dal.identity_holders(self.tenant_id, wanted))
        ids = [cid for cid in set(self.holders.values()) if cid not in self.known]
        found = contacts_dal.profiles(self.tenant_id, ids)
        for cid in ids:
            contact = found.get(cid)
            self.known[cid] = contact if contact is not None and not contact.erased and not contact.is_alias else None

    def _state(self, contact_id: str) -> Contact | None:
        pending = self.pending.get(contact_id)
        return pending.after if pending is not None else self.known.get(contact_id)

    def _decide(self, row: _Row) -> bool:
        """Decide a row from what the batch read; False when it needs ``merging.upsert`` (a merge,
        or a contact that moved)."""
        holder_ids = {self.holders[identity] for identity in row.identities if identity in self.holders}
        if len(holder_ids) > 1:
            return False
        if not holder_ids:
            contact = row.contact
            self.pending[contact.contact_id] = _Pending(None, contact, [(row, "created")])
            self.holders.update(dict.fromkeys(row.identities, contact.contact_id))
            return True
        (holder_id,) = holder_ids
        target = self._state(holder_id)
        if target is None:
            return False
        conflicts = merging.conflicting_kinds(target.identities, row.contact.identities)
        if conflicts:
            self._report(row, _conflict_message(row, conflicts))
            return True
        joined = merging.combine(target, row.contact, self.exclusive)[0]
        if not merging._changed_fields(target, joined):
            self.counts["unchanged"] += 1
            return True
        pending = self.pending.setdefault(holder_id, _Pending(target, target))
        pending.after = joined
        pending.rows.append((row, "updated"))
        self.holders.update(dict.fromkeys(row.identities, holder_id))
        return True

    def _report(self, row: _Row, message: str, loc: str = "row") -> None:
        self.errors.append(RowError(row=row.row, errors=[RowProblem(loc=[loc], msg=message)]))

    def _one_by_one(self, row: _Row, outcome: str | None = None) -> None:
        """A row applied alone, by ``merging.upsert`` (merging the contacts it names when safe)."""
        holders = {self.holders[identity] for identity in row.identities if identity in self.holders}
        try:
            _, is_new = merging.upsert(self.tenant_id, row.contact, actor=self.actor)
        except ConcurrentUpdate:
            raise  # a race lost too often: the step is retried
        except Conflict as refused:
            self._report(row, refused.detail)
            return
        if outcome is None:
            outcome = "merged" if len(holders) > 1 else "created" if is_new else "updated"
        self.counts[outcome] += 1

    def _flush(self) -> None:
        news = [pending for pending in self.pending.values() if pending.before is None]
        updates = [pending for pending in self.pending.values() if pending.before is not None]
        for group in _groups(news):
            try:
                jobs_dal.create_contacts([pending.after for pending in group], merging.created_event)
            except (Conflict, ConcurrentUpdate):
                self._fall_back(group)
            else:
                self._count(group)
        for group in _groups(updates):
            changes: list[contacts_dal.Change] = []
            announced: list[BaseModel] = []
            for pending in group:
                assert pending.before is not None
                after = pending.after.model_copy(
                    update={"version": pending.before.version + 1, "updated_at": now_rfc3339()}
                )
                changes.append((pending.before, after))
                changed = merging._changed_fields(pending.before, pending.after)
                announced.append(
                    events.ContactUpdated(contact_id=after.contact_id, version=after.version, changed=changed)
                )
            try:
                contacts_dal.save_all(changes, announced)
            except (Conflict, ConcurrentUpdate):
                self._fall_back(group)
            else:
                self._count(group)
        self.pending = {}

    def _count(self, group: list[_Pending]) -> None:
        for pending in group:
            for _, outcome in pending.rows:
                self.counts[outcome] += 1

    def _fall_back(self, group: list[_Pending]) -> None:
        """A group whose transaction lost a race: its rows again, one by one, on fresh reads."""
        for pending in group:
            for row, _ in pending.rows:
                self._one_by_one(row)


def _conflict_message(row: _Row, conflicts: list[str]) -> str:
    kinds = {kind for kind, _ in row.identities}
    matched = sorted(kinds - set(conflicts)) or sorted(kinds)
    return (
        f"The {matched[0]} belongs to a contact with another {conflicts[0]}; "
        "correct the row or merge the contacts by hand."
    )


def _groups(pending: list[_Pending]) -> Iterator[list[_Pending]]:
    """Contacts whose writes fit one transaction (one item spare for a day's counter)."""
    group: list[_Pending] = []
    used = 0
    for item in pending:
        needed = jobs_dal.write_count(item.before, item.after)
        if group and used + needed > MAX_TRANSACTION_ITEMS - 2:
            yield group
            group, used = [], 0
        group.append(item)
        used += needed
    if group:
        yield group


KIND = jobs.JobKind(KIND_NAME, WRITERS, step)
