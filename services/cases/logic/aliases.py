"""Contacts merged into others (aliases) and the contacts that hold their cases now.

Cases learns of a merge from contacts' ``ContactsMerged`` and records it in its own contact
directory (``merged_into`` on the alias's entry); it never reads contacts' table. A member token
issued to an alias keeps working: every member request, and every case opened for a contact,
acts for the contact that holds the alias's cases. Chains (A into B, later B into C) are followed
pointer by pointer, a few hops at most: contacts forms no cycles."""

from __future__ import annotations

from services.cases.dal import contact_directory as dal
from services.cases.models import DirectoryEntry
from shared.auth.principal import MemberPrincipal

HOPS = 8  # far more merges of one person than anyone makes


def holder(tenant_id: str, contact_id: str) -> DirectoryEntry:
    """The directory entry of the contact holding this contact's cases: its own unless merged."""
    entry, _ = dal.get(tenant_id, contact_id)
    for _ in range(HOPS):
        if not entry.merged_into:
            break
        entry, _ = dal.get(tenant_id, entry.merged_into)
    return entry


def holder_id(tenant_id: str, contact_id: str) -> str:
    return holder(tenant_id, contact_id).contact_id


def as_holder(member: MemberPrincipal) -> MemberPrincipal:
    """The member as the contact holding their cases: an alias's token acts for its survivor."""
    held_by = holder_id(member.tenant_id, member.contact_id)
    if held_by == member.contact_id:
        return member
    return MemberPrincipal(tenant_id=member.tenant_id, contact_id=held_by, app_id=member.app_id, openid=member.openid)
