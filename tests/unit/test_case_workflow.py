"""The case workflow: every legal move is allowed and recorded, every other one is a 409."""

from __future__ import annotations

import itertools
from typing import Any, get_args

import pytest

from services.cases.logic.workflow import MOVES, IllegalTransition, Status, move, on_member_reply

STATUSES: tuple[Any, ...] = get_args(Status)
LEGAL = {
    ("new", "assigned"),
    ("new", "resolved"),
    ("assigned", "new"),
    ("assigned", "in_progress"),
    ("assigned", "resolved"),
    ("in_progress", "waiting_on_customer"),
    ("in_progress", "resolved"),
    ("waiting_on_customer", "in_progress"),
    ("waiting_on_customer", "resolved"),
    ("resolved", "in_progress"),
    ("resolved", "closed"),
}


def test_the_declared_moves_are_exactly_the_legal_ones() -> None:
    assert {(a, b) for a, targets in MOVES.items() for b in targets} == LEGAL
    assert set(MOVES) == set(STATUSES)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(STATUSES, STATUSES)))
def test_every_move_is_recorded_or_refused(current: Any, target: Any) -> None:
    if (current, target) in LEGAL:
        line = move(current, target, actor_kind="staff", actor_id="s1", at="2026-11-22T00:00:00.000Z", reason="r")
        assert (line.from_status, line.to_status, line.actor_id, line.reason) == (current, target, "s1", "r")
    else:
        with pytest.raises(IllegalTransition, match=f"cannot become {target}") as refused:
            move(current, target, actor_kind="staff", actor_id="s1", at="2026-11-22T00:00:00.000Z")
        assert refused.value.status == 409


def test_a_member_reply_reopens_waiting_and_resolved_cases_only() -> None:
    assert on_member_reply("waiting_on_customer") == "in_progress"
    assert on_member_reply("resolved") == "in_progress"
    assert on_member_reply("in_progress") is None
    assert on_member_reply("new") is None
    assert on_member_reply("closed") is None
