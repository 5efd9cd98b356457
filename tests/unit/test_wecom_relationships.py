"""A relationship's transitions (pure): applied in the order WeCom made them, whatever order the
callbacks arrive in; each friendship (generation) announced added and removed once."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.wecom.logic.relationships import Change, transition
from services.wecom.models import Relationship
from shared.events.wecom import WeComContactAdded, WeComContactRemoved


def change(kind: str, at: int, by: str | None = None) -> Change:
    return Change(kind, "corp", "staff", "wmcustomer", at, removed_by=by, state="c1" if kind != "remove" else None)  # type: ignore[arg-type]


def run(changes: list[Change]) -> tuple[Relationship | None, list[object]]:
    current: Relationship | None = None
    announced: list[object] = []
    for item in changes:
        decided = transition(current, item)
        if decided is None:
            continue
        current, event = decided
        if event is not None:
            announced.append(event)
    return current, announced


def test_an_add_then_a_customer_removal_announces_each_once() -> None:
    add, remove = change("add", 100), change("remove", 200, "customer")
    final, events = run([add, add, remove, remove, add])
    assert final is not None
    assert final.status == "removed"
    assert final.removed_by == "customer"
    assert [type(e) for e in events] == [WeComContactAdded, WeComContactRemoved]
    assert all(e.generation == 1 for e in events)  # type: ignore[attr-defined]


def test_a_removal_delivered_before_its_add_does_not_resurrect_the_friendship() -> None:
    final, events = run([change("remove", 200, "customer"), change("add", 100)])
    assert final is not None
    assert final.status == "removed"
    assert [type(e) for e in events] == [WeComContactRemoved]


def test_an_add_after_a_removal_starts_the_next_generation() -> None:
    final, events = run([change("add", 100), change("remove", 200, "staff"), change("add", 300)])
    assert final is not None
    assert final.status == "active"
    assert final.generation == 2
    assert [(type(e).__name__, e.generation) for e in events] == [  # type: ignore[attr-defined]
        ("WeComContactAdded", 1),
        ("WeComContactRemoved", 1),
        ("WeComContactAdded", 2),
    ]


def test_a_half_add_is_pending_until_the_staff_member_accepts() -> None:
    final, events = run([change("half_add", 100), change("add", 110)])
    assert final is not None
    assert final.status == "active"
    assert final.generation == 1
    assert [e.half for e in events] == [True, False]  # type: ignore[attr-defined]


def test_a_removal_wins_a_tie_with_its_add() -> None:
    final, _ = run([change("add", 100), change("remove", 100, "customer")])
    assert final is not None
    assert final.status == "removed"


@settings(max_examples=60, deadline=None)
@given(st.permutations([("add", 100), ("remove", 200), ("add", 300), ("remove", 400)]), st.integers(0, 3))
def test_any_delivery_order_with_duplicates_ends_as_the_last_change_says(
    order: list[tuple[str, int]], dup: int
) -> None:
    changes = [change(kind, at, "customer" if kind == "remove" else None) for kind, at in order]
    changes.insert(dup, changes[dup])
    final, events = run(changes)
    assert final is not None
    assert final.status == "removed"
    # Never two announcements of the same (kind, generation).
    keys = [(type(e).__name__, e.generation) for e in events]  # type: ignore[attr-defined]
    assert len(keys) == len(set(keys))
