"""``ContactProfileChanged``: what a contact is now, for the services that reach it (outreach keeps
a copy). Built from the stored contact by the data layer, which publishes one with every save that
changes it (``contacts.save_all``), so no writer of contacts can forget it.

A merged-away alias says only that it is merged and into which contact; an erased contact only that
it is erased: nothing personal leaves contacts for either.
"""

from __future__ import annotations

from typing import Any

from services.contacts.models import Contact
from shared.events.contacts import ContactProfileChanged


def snapshot_fields(contact: Contact) -> dict[str, Any]:
    """The snapshot's fields, version aside (two saves that change none of them publish nothing)."""
    if contact.erased:
        return _impersonal(contact, "erased")
    if contact.merged_into is not None:
        return _impersonal(contact, "merged") | {"merged_into": contact.merged_into}
    return {
        "contact_id": contact.contact_id,
        "status": "active",
        "merged_into": None,
        "name": contact.name,
        "birthday": contact.birthday,
        "consent": contact.consent,
        "tags": list(contact.tags),
        "owners": dict(contact.owners),
        "openids": {app: openid for app, openid in contact.identities.openids.items() if openid},
        "external_userids": {corp: ext for corp, ext in contact.identities.external_userids.items() if ext},
    }


def _impersonal(contact: Contact, status: str) -> dict[str, Any]:
    return {
        "contact_id": contact.contact_id,
        "status": status,
        "merged_into": None,
        "name": None,
        "birthday": None,
        "consent": {},
        "tags": [],
        "owners": {},
        "openids": {},
        "external_userids": {},
    }


def profile_changes(changes: list[tuple[Contact | None, Contact]]) -> list[ContactProfileChanged]:
    """One snapshot per contact whose snapshot fields the change alters (every new contact)."""
    published = []
    for before, after in changes:
        fields = snapshot_fields(after)
        if before is None or snapshot_fields(before) != fields:
            published.append(current_profile(after))
    return published


def current_profile(contact: Contact) -> ContactProfileChanged:
    """The snapshot of ``contact`` as it stands (a republish: consumers keep the newest version)."""
    return ContactProfileChanged.model_validate({**snapshot_fields(contact), "version": contact.version})
