"""Staff's list of one contact's cases (``GET /v1/cases?contact_id=``), read from the contact's own
index (the one ``GET /v1/me/cases`` reads): newest first, page by page, with the list's other
filters, for the roles the list admits."""

from __future__ import annotations

from typing import Any

from tests.unit.conftest import Client, eventually

LIST = "/v1/cases"
GENERAL = {"name": "General", "is_default": True}


def open_case(client: Client, admin: str, contact_id: str | None, subject: str, **fields: Any) -> str:
    body = {"type": "inquiry", "subject": subject} | ({"contact_id": contact_id} if contact_id else {}) | fields
    answer = client.post(LIST, json_body=body, token=admin)
    assert answer.status == 201, answer.body
    return str(answer.json["case_id"])


def known_contact(client: Client, tenant: str, admin: str, name: str) -> str:
    """A member's contact, once the cases service's directory knows it (events, a moment later):
    staff may then open cases for it."""
    contact_id = str(client.member_login(tenant, f"dev:{name}")["contact_id"])
    body = {"type": "inquiry", "subject": "first", "contact_id": contact_id}
    eventually(lambda: client.post(LIST, json_body=body, token=admin).status == 201)
    return contact_id


def listed(client: Client, token: str, query: str) -> tuple[list[str], int]:
    """Every case id of a listing, page after page, and how many pages it took."""
    found: list[str] = []
    cursor, pages = None, 0
    while True:
        answer = client.get(f"{LIST}?{query}" + (f"&cursor={cursor}" if cursor else ""), token=token)
        assert answer.status == 200, answer.body
        found += [item["case_id"] for item in answer.json["items"]]
        pages += 1
        cursor = answer.json["next_cursor"]
        if not cursor:
            return found, pages


def test_a_contacts_cases_come_newest_first_page_by_page_from_their_own_index(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    assert client.put("/v1/queues/general", json_body=GENERAL, token=admin).status == 200
    alice = known_contact(client, tenant, admin, "o-filter-alice")
    bob = known_contact(client, tenant, admin, "o-filter-bob")
    probe = listed(client, admin, f"contact_id={alice}")[0]
    hers = probe + [open_case(client, admin, alice, f"alice {n}") for n in range(3)]
    # Many newer cases of others: a filtered read of the tenant's cases would need pages to find hers.
    for n in range(12):
        open_case(client, admin, bob if n % 2 else None, f"other {n}")

    newest_first = list(reversed(hers))
    assert listed(client, admin, f"contact_id={alice}&limit=4") == (newest_first, 1)
    assert listed(client, admin, f"contact_id={alice}&limit=2") == (newest_first, 2)
    page = client.get(f"{LIST}?contact_id={alice}&limit=50", token=admin).json
    assert {item["contact_id"] for item in page["items"]} == {alice}
    assert page["next_cursor"] is None

    # An agent lists them too (the list's roles), and the list's other filters still apply.
    agent = client.staff_token(tenant, "agent-1", ("agent",))
    assert client.patch(f"{LIST}/{hers[0]}", json_body={"status": "resolved"}, token=admin).status == 200
    assert client.patch(f"{LIST}/{hers[1]}", json_body={"priority": "urgent"}, token=admin).status == 200
    assert listed(client, agent, f"contact_id={alice}")[0] == newest_first
    assert listed(client, agent, f"contact_id={alice}&status=resolved")[0] == [hers[0]]
    assert listed(client, agent, f"contact_id={alice}&priority=urgent")[0] == [hers[1]]
    assert listed(client, agent, f"contact_id={alice}&assignee=agent-1")[0] == []
    assert listed(client, agent, "contact_id=nobody-here")[0] == []


def test_a_contacts_cases_assigned_to_one_agent_and_refusals(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    assert client.put("/v1/queues/general", json_body=GENERAL, token=admin).status == 200
    agent = {"queues": ["general"], "availability": "online", "capacity": 5}
    assert client.put("/v1/agents/agent-1", json_body=agent, token=admin).status == 200
    alice = known_contact(client, tenant, admin, "o-filter-carol")
    [assigned] = listed(client, admin, f"contact_id={alice}")[0]  # the case that found her known
    assert client.put("/v1/queues/nobody", json_body={"name": "Nobody's"}, token=admin).status == 200
    unassigned = open_case(client, admin, alice, "unassigned", queue_id="nobody")
    assert client.get(f"{LIST}/{unassigned}", token=admin).json["assignee"] is None
    other = open_case(client, admin, None, "someone else's")
    assert client.get(f"{LIST}/{other}", token=admin).json["assignee"] == "agent-1"

    assert listed(client, admin, f"contact_id={alice}&assignee=agent-1")[0] == [assigned]
    assert listed(client, admin, "assignee=agent-1")[0] == [other, assigned]

    # A cursor belongs to its listing: another contact's, or the tenant's, refuse it.
    first = client.get(f"{LIST}?contact_id={alice}&limit=1", token=admin).json
    assert first["next_cursor"]
    for query in (f"contact_id=someone-else&cursor={first['next_cursor']}", f"cursor={first['next_cursor']}"):
        refused = client.get(f"{LIST}?{query}", token=admin)
        assert refused.status == 400, (query, refused.body)
        assert refused.headers["Content-Type"] == "application/problem+json"
    for query in ("contact_id=", f"contact_id={'x' * 65}"):
        refused = client.get(f"{LIST}?{query}", token=admin)
        assert refused.status == 422, (query, refused.body)
    # Guides do not work cases; another tenant's staff see nothing of this contact.
    guide = client.staff_token(tenant, "guide-1", ("guide",))
    assert client.get(f"{LIST}?contact_id={alice}", token=guide).status == 403
    stranger = client.staff_token(f"{tenant}-b")
    assert client.get(f"{LIST}?contact_id={alice}", token=stranger).json["items"] == []
