"""Outreach's copy of many contacts' facts written at once, in the layout ``services/outreach/
dal/facts.py`` keeps: hundreds of contacts through the events would take minutes on the emulator.
The events' way to the same items is what tests/unit/test_outreach_facts.py proves; this is for the
tests and benchmarks that need a large audience (a 500-contact segment, 10,000 for the bench)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.outreach.dal import facts as facts_dal
from services.outreach.dal.table import table
from shared import dynamo
from shared.dynamo import serialize

BATCH = 25  # BatchWriteItem's most


def seed_many(tenant: str, corp_id: str, rows: list[dict[str, Any]], segment: str) -> None:
    """``rows``: {contact_id, consent: bool, staff: the WeCom friend and owner or None}; every
    contact a member of ``segment`` (with its count). An active contact named 王芳, consenting (or
    not) to WeCom and WeChat marketing, a WeCom customer ``wm-<contact_id>`` of its staff member."""
    now = datetime.now(UTC).isoformat()
    items: list[dict[str, Any]] = []
    for row in rows:
        contact_id, staff = row["contact_id"], row.get("staff")
        item: dict[str, Any] = {
            **facts_key(tenant, contact_id),
            "kind": "facts",
            "tenant_id": tenant,
            "contact_id": contact_id,
            "status": "active",
            "version": 1,
            "revision": 1,
            "name": "王芳",
            "consent": {"wecom": {"marketing": row["consent"]}, "wechat": {"marketing": row["consent"]}},
            "owners": {"*": staff or "anna"},
            "tags": [],
            "openids": {},
            "external_userids": {corp_id: f"wm-{contact_id}"} if staff else {},
        }
        if staff:
            friendship = facts_dal.friendship_key(corp_id, staff)
            item[facts_dal.FRIEND + friendship] = {
                "corp_id": corp_id,
                "staff_id": staff,
                "external_userid": f"wm-{contact_id}",
                "generation": 1,
                "added_at": now,
            }
            item[facts_dal.GENERATION + friendship] = 1
        items.append(item)
        items.append(
            {
                "pk": f"T#{tenant}#SEG#{segment}",
                "sk": f"C#{contact_id}",
                "kind": "segment_member",
                "segment_id": segment,
                "contact_id": contact_id,
                "member": True,
                "changed_at": now,
                "gsi1pk": f"T#{tenant}#SEGIN#{segment}",
                "gsi1sk": contact_id,
            }
        )
    items.append(
        {
            "pk": f"T#{tenant}#SEG#{segment}",
            "sk": facts_dal.COUNT_SK,
            "kind": "segment_count",
            "segment_id": segment,
            "members": len(rows),
        }
    )
    write_all(items)


def facts_key(tenant: str, contact_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant}#FACTS#{contact_id}", "sk": facts_dal.FACTS_SK}


def write_all(items: list[dict[str, Any]]) -> None:
    """Put ``items`` into the outreach table, 25 a request (what is left unprocessed, again)."""
    for start in range(0, len(items), BATCH):
        pending: dict[str, Any] = {
            table(): [{"PutRequest": {"Item": serialize(item)}} for item in items[start : start + BATCH]]
        }
        while pending:
            pending = dynamo.client().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
