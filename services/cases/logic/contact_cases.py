"""A contact's cases follow what happens to the contact.

- Erased (``ContactErased``): every case of the contact keeps its structure — type, status, times,
  SLA, rating — but forgets what the member said and what was said to them: subject, description,
  message bodies, attachments, the CSAT comment and the WeChat address. The contact id stays: it
  is an opaque reference, and who handled what must still add up. The WeChat senders linked to
  the contact are forgotten too (``channel_senders``).
- Merged (``ContactsMerged``): the absorbed contact becomes an alias of the survivor in the
  directory, and its cases and the WeChat senders linked to it move to the survivor, so the
  member sees them all in one place (also through a token issued to the alias: see ``aliases``).

Both are safe to repeat: an erased case is erased again to the same result; a merged contact has
no cases left to move. The consumer's marker is written last, so a failure midway retries it all.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from services.cases.dal import cases as dal
from services.cases.dal import channel as channel_dal
from services.cases.dal import contact_directory as directory
from services.cases.dal.table import mark_handled
from services.cases.logic import aliases
from services.cases.logic.changes import CaseChange
from services.cases.models import Actor
from services.cases.service import CONTACT_CASES_CONSUMER
from shared.clock import now_rfc3339
from shared.retry import retry_on_race

ERASED = "[erased]"
CONTACTS = Actor(kind="system", id="contacts")


def _forget(tenant_id: str, case_id: str) -> None:
    """Blank what was said on one case (its thread, then the case itself over the version read)."""
    record = dal.get_record(tenant_id, case_id)
    if record is None:
        return
    blanked = [m.model_copy(update={"body": ERASED, "attachments": []}) for m in record.messages]
    dal.rewrite_messages(tenant_id, case_id, blanked)
    change = CaseChange.of(record.case, CONTACTS, now_rfc3339())
    case = change.case
    case.subject, case.description, case.attachments, case.channel = ERASED, "", [], None
    if case.csat is not None:
        case.csat.comment = None
    case.erased_at = case.erased_at or change.at
    change.note("the contact's personal data was erased")
    dal.commit(change.write)


def _move(tenant_id: str, survivor_id: str, merged_id: str, case_id: str) -> None:
    """Move one case to the contact holding the survivor's cases now (the survivor, or where a later
    merge took it), on the condition that it still holds them when the case is written."""
    case = dal.get_case(tenant_id, case_id)
    if case is None or case.contact_id != merged_id:
        return
    target = aliases.holder_id(tenant_id, survivor_id)
    change = CaseChange.of(case, CONTACTS, now_rfc3339())
    change.case.contact_id = target
    change.note(f"contact {merged_id} merged into {target}")
    change.write.prepares.append(directory.still_holder(tenant_id, target))
    dal.commit(change.write)


def _each_case(tenant_id: str, contact_id: str, rewrite: Callable[[str], None]) -> None:
    """``rewrite(case_id)`` for every case of the contact, again on a lost race. The cases come from
    the contact's case index, read consistently: every case committed before the read is there."""
    for case_id in dal.contact_case_ids(tenant_id, contact_id):
        _rewrite_one(rewrite, case_id)


def _rewrite_one(rewrite: Callable[[str], None], case_id: str) -> None:
    retry_on_race(lambda _: rewrite(case_id))


def erase(tenant_id: str, contact_id: str, event_id: str) -> None:
    _each_case(tenant_id, contact_id, partial(_forget, tenant_id))
    channel_dal.forget_senders(tenant_id, contact_id)
    mark_handled(CONTACT_CASES_CONSUMER.name, tenant_id, event_id)


def merge(tenant_id: str, survivor_id: str, merged_id: str, event_id: str) -> None:
    """Record the alias first, so that every case opened for it from then on lands on the
    survivor (``intake`` checks the pointer is still absent when it writes), then move the cases it
    already has. A survivor merged meanwhile (B into C handled before A into B) is followed."""
    target = aliases.holder(tenant_id, survivor_id)
    if target.contact_id == merged_id or target.merged_into:
        # Contacts never absorbs a survivor into its own alias, nor chains merges this deep.
        raise ValueError(f"merging {merged_id} into {survivor_id} would form a cycle")
    directory.record_alias(tenant_id, merged_id, survivor_id)
    _each_case(tenant_id, merged_id, partial(_move, tenant_id, survivor_id, merged_id))
    retry_on_race(lambda _: channel_dal.move_senders(tenant_id, merged_id, target.contact_id))
    mark_handled(CONTACT_CASES_CONSUMER.name, tenant_id, event_id)
