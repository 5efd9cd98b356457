"""A journey's graph is checked when saved: each problem is a 422 naming its step."""

from __future__ import annotations

from typing import Any

import pytest

from services.outreach.journey_models import JourneyDefinition
from services.outreach.logic.journey_graph import check
from shared.errors import Unprocessable


def journey(steps: list[dict[str, Any]], entry: str = "wait") -> JourneyDefinition:
    return JourneyDefinition.model_validate(
        {
            "name": "Win-back",
            "trigger": {"kind": "lifecycle_changed", "to_stage": "dormant"},
            "entry": entry,
            "steps": steps,
        }
    )


WIN_BACK: list[dict[str, Any]] = [
    {"type": "wait", "id": "wait", "minutes": 1440, "next": "send"},
    {"type": "send", "id": "send", "template_id": "tpl_1", "next": "tag"},
    {"type": "tag", "id": "tag", "tag": "winback", "next": "done"},
    {"type": "exit", "id": "done"},
]


def refusal(definition: JourneyDefinition) -> Unprocessable:
    with pytest.raises(Unprocessable) as raised:
        check(definition)
    return raised.value


def test_a_sound_graph_passes_and_a_cycle_through_a_wait_is_allowed() -> None:
    check(journey(WIN_BACK))
    looping: list[dict[str, Any]] = [
        {"type": "wait", "id": "wait", "minutes": 60, "next": "check"},
        {
            "type": "branch",
            "id": "check",
            "condition": {"kind": "attribute", "attribute": "tag", "op": "has", "value": "vip"},
            "yes": "done",
            "no": "wait",
        },
        {"type": "exit", "id": "done"},
    ]
    check(journey(looping))


@pytest.mark.parametrize(
    ("steps", "named", "words"),
    [
        (  # a cycle with no wait
            [
                {"type": "wait", "id": "wait", "minutes": 60, "next": "a"},
                {"type": "tag", "id": "a", "tag": "x", "next": "b"},
                {
                    "type": "branch",
                    "id": "b",
                    "condition": {"kind": "segment", "segment_id": "sg1"},
                    "yes": "a",
                    "no": "done",
                },
                {"type": "exit", "id": "done"},
            ],
            "a",
            "cycle without a wait",
        ),
        (  # unreachable
            [*WIN_BACK, {"type": "send", "id": "orphan", "template_id": "t", "next": "done"}],
            "orphan",
            "cannot be reached",
        ),
        (  # no exit at all
            [{"type": "wait", "id": "wait", "minutes": 60, "next": "wait"}],
            "wait",
            "no exit",
        ),
        (  # a link to nothing
            [{"type": "wait", "id": "wait", "minutes": 60, "next": "nowhere"}, {"type": "exit", "id": "done"}],
            "wait",
            "not a step",
        ),
        (  # a loop that can never leave
            [
                {
                    "type": "branch",
                    "id": "wait",
                    "condition": {"kind": "segment", "segment_id": "s"},
                    "yes": "loop",
                    "no": "done",
                },
                {"type": "wait", "id": "loop", "minutes": 5, "next": "loop"},
                {"type": "exit", "id": "done"},
            ],
            "loop",
            "no exit can be reached",
        ),
        (  # two steps, one id
            [*WIN_BACK, {"type": "exit", "id": "done"}],
            "done",
            "another step",
        ),
    ],
)
def test_a_faulty_graph_is_refused_naming_the_step(steps: list[dict[str, Any]], named: str, words: str) -> None:
    refused = refusal(journey(steps))
    assert named in refused.detail
    assert words in refused.detail
    assert refused.extra["errors"][0]["loc"][:2] == ["body", "steps"]


def test_more_than_100_steps_is_refused_naming_the_first_past_the_limit() -> None:
    chain = [{"type": "tag", "id": f"s{n}", "tag": "t", "next": f"s{n + 1}"} for n in range(100)]
    steps = [*chain, {"type": "exit", "id": "s100"}]
    refused = refusal(journey(steps, entry="s0"))
    assert "'s100'" in refused.detail
    assert refused.extra["errors"][0]["loc"] == ["body", "steps", "100", "id"]
