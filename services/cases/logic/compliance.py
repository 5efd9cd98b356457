"""Sensitive-word monitoring of staff conduct: a staff reply containing one of the tenant's words
opens a compliance case for the sender's manager; with the ``block`` rule the reply is not sent."""

from __future__ import annotations

from services.cases.dal import routing as routing_dal
from services.cases.logic.intake import Draft, open_case
from services.cases.models import Actor, CaseSettings
from shared.auth.principal import StaffPrincipal

EXCERPT = 200


def matches(text: str, words: list[str]) -> list[str]:
    """The listed words found in the text (case-insensitive for Latin letters; Chinese as written)."""
    folded = text.casefold()
    return [word for word in words if word.casefold() in folded]


def screen(staff: StaffPrincipal, case_id: str, text: str, settings: CaseSettings) -> bool:
    """Open a compliance case when the reply matches; True when the reply must not be sent."""
    found = matches(text, settings.sensitive_words.words)
    if not found:
        return False
    agent = routing_dal.get_agent(staff.tenant_id, staff.staff_id)
    open_case(
        staff.tenant_id,
        Draft(
            type="compliance",
            subject=f"Sensitive words in a reply by {staff.staff_id}: {', '.join(found)}"[:200],
            description=f"Case {case_id}: {text[:EXCERPT]}",
            priority="high",
            intake="compliance",
            opened_by=Actor(kind="system", id="sensitive-words"),
            tags=["sensitive_words"],
            subject_staff_id=staff.staff_id,
            assignee=agent.manager_id if agent else None,
        ),
    )
    return settings.sensitive_words.action == "block"
