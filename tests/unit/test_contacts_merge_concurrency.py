"""Concurrent opposite merges: A into B while B into A, over ten pairs at
once, through the API in-process. No contact is lost, no cycle forms, nothing points to an alias,
and each merge is published once."""

from __future__ import annotations

import threading
from typing import Any

from tests.unit.conftest import Client
from tests.unit.test_contacts_merge import create, merge, profile, published

PAIRS = 10


def test_twenty_concurrent_opposite_merges_over_ten_pairs(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    pairs = [
        (create(client, admin, name=f"a{n}")["contact_id"], create(client, admin, name=f"b{n}")["contact_id"])
        for n in range(PAIRS)
    ]
    requests = [(into, other) for first, second in pairs for into, other in ((first, second), (second, first))]
    answers: dict[tuple[str, str], Any] = {}
    barrier = threading.Barrier(len(requests))

    def send(into: str, other: str) -> None:
        barrier.wait()
        answers[(into, other)] = merge(client, admin, into, other, reason="concurrent")

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for (into, other), answer in answers.items():
        assert answer.status == 200, (into, other, answer.body)
    everyone = [cid for pair in pairs for cid in pair]
    stored = {cid: profile(tenant, cid) for cid in everyone}
    for older, newer in pairs:  # created in this order: the first of each pair is older
        assert answers[(older, newer)].json["contact_id"] == older
        assert answers[(newer, older)].json["contact_id"] == older
        assert "merged_into" not in stored[older]
        assert stored[older]["merged_from"] == [newer]
        assert stored[newer]["merged_into"] == older
    # Nothing points to an alias, so no chain (let alone a cycle) exists.
    for contact in stored.values():
        target = contact.get("merged_into")
        if target is not None:
            assert "merged_into" not in stored[target]
    listed = client.get("/v1/contacts?limit=50", token=admin).json["items"]
    assert sorted(c["contact_id"] for c in listed) == sorted(older for older, _ in pairs)
    merged = published(tenant, "ContactsMerged")
    assert sorted((e["contact_id"], e["merged_contact_id"]) for e in merged) == sorted(pairs)
