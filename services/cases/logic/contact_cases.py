"""A contact's cases follow what happens to the contact.

- Erased (``ContactErased``): every case of the contact keeps its structure — type, status, times,
  SLA, rating — but forgets what the member said and what was said to them: subject, description,
  message bodies, attachments, the CSAT comment and the WeChat address. The contact id stays: it
  is an opaque reference, and who handled what must still add up.
- Merged (``ContactsMerged``): the absorbed contact's cases move to the survivor, so the member
  sees them all in one place.

Both are safe to repeat: an erased case is erased again to the same result; a merged contact has
no cases left to move. The consumer's marker is written last, so a failure midway retries it all.
"""

from __future__ import annotations

from collections.abc import Callable

from services.cases.dal import cases as dal
from services.cases.logic.changes import CaseChange
from services.cases.models import Actor
from shared.clock import now_rfc3339
from shared.errors import ConcurrentUpdate

CONSUMER = "cases-contact-cases"
ERASED = "[erased]"
ATTEMPTS = 5
CONTACTS = Actor(kind="system", id="contacts")


def _each_case(tenant_id: str, contact_id: str, rewrite: Callable[[str], None]) -> None:
    """``rewrite(case_id)`` for every case of the contact, again on a lost race."""
    for case in dal.all_member_cases(tenant_id, contact_id):
        for attempt in range(ATTEMPTS):
            try:
                rewrite(case.case_id)
                break
            except ConcurrentUpdate:
                if attempt + 1 == ATTEMPTS:
                    raise


def erase(tenant_id: str, contact_id: str, event_id: str) -> None:
    def forget(case_id: str) -> None:
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

    _each_case(tenant_id, contact_id, forget)
    dal.mark_handled(CONSUMER, tenant_id, event_id)


def merge(tenant_id: str, survivor_id: str, merged_id: str, event_id: str) -> None:
    def move(case_id: str) -> None:
        case = dal.get_case(tenant_id, case_id)
        if case is None or case.contact_id != merged_id:
            return
        change = CaseChange.of(case, CONTACTS, now_rfc3339())
        change.case.contact_id = survivor_id
        change.note(f"contact {merged_id} merged into {survivor_id}")
        dal.commit(change.write)

    _each_case(tenant_id, merged_id, move)
    dal.mark_handled(CONSUMER, tenant_id, event_id)
