"""Conditions on a contact's facts: what a fact type's summary holds, whether a condition written
for it makes sense (422 with its ``loc`` otherwise), and whether a fact meets conditions.

The fields of a fact type are those its timeline entry keeps (``timeline.SUMMARY_FIELDS`` of each
event recorded as that type, plus what contacts adds itself), typed as the event's contract types
them: a rule can only name a key the summary can hold, with a value of the type it holds. Used by
auto-tag rules and, next, by lead scoring.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from services.contacts.models import TimelineEntry
from services.contacts.rule_models import ORDERING_OPS, FactCondition
from shared.errors import Unprocessable

# Facts contacts records itself (no event of that name), and what their summary holds.
SCAN_FIELDS = ("scan_id", "campaign_id", "code", "channel", "store", "staff_id", "brand")
OWN_FIELDS: dict[str, dict[str, Any]] = {
    "QrCodeScanned": {"acquired": bool},
    "MemberLoggedIn": {"app_id": str, "kind": Literal["mini_program", "web"]},
}
# What contacts adds to an event's summary (``timeline.on_event``): the partner an order was paid to.
ADDED_FIELDS: dict[str, dict[str, Any]] = {"OrderPaid": {"partner": str}, "OrderRefunded": {"partner": str}}


@cache
def fields_of(fact_type: str) -> dict[str, Any]:
    """Summary key → its type (an annotation pydantic validates), for one fact type."""
    # Only rule writes need the catalogue: the timeline (which calls auto-tagging) and every
    # event contract are imported here, not with the module.
    from services.contacts.logic import timeline
    from shared.events.catalog import contract_for

    found: dict[str, Any] = dict(OWN_FIELDS.get(fact_type, {}))
    if fact_type == "QrCodeScanned":
        model = contract_for("QrCodeScanned").data.model_fields
        found |= {name: model[name].rebuild_annotation() for name in SCAN_FIELDS}
    for detail_type, names in timeline.SUMMARY_FIELDS.items():
        if timeline.RECORDED_AS.get(detail_type, detail_type) != fact_type:
            continue
        model = contract_for(detail_type).data.model_fields
        found |= {name: model[name].rebuild_annotation() for name in names if name in model}
    found |= ADDED_FIELDS.get(fact_type, {})
    return found


def _bare(annotation: Any) -> Any:
    """The type under Annotated and Optional: int, str, bool, list[...], a Literal."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            others = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(others) != 1:
                return annotation
            annotation = others[0]
        else:
            return annotation


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(_bare(annotation)) is list


def _is_number(annotation: Any) -> bool:
    return _bare(annotation) is int


def _fits(annotation: Any, value: Any) -> bool:
    """Whether ``value`` (as a client sent it, JSON) is a value of the type: strictly, so "5" is
    no number and 5 no text."""
    try:
        TypeAdapter(annotation).validate_json(json.dumps(value), strict=True)
    except ValidationError:
        return False
    return True


def _problem(condition: FactCondition, annotation: Any) -> tuple[str, str] | None:
    """What is wrong with a condition on a field of this type: (the part at fault, why)."""
    op, value, name, listed = condition.op, condition.value, condition.field, _is_list(annotation)
    wrong_value = ("value", f"not a value {name} can hold")
    if op in ORDERING_OPS:
        fault = None if _is_number(annotation) else ("op", f"{name} is not a number: {op} cannot compare it")
    elif op == "has":
        fault = ("op", f"{name} is not a list: use eq or in") if not listed else None
        fault = fault or (None if _fits(annotation, [value]) else wrong_value)
    elif listed and op in ("eq", "ne") and value is not None:
        fault = ("op", f"{name} is a list: use has or in")
    elif op == "in":
        whole = annotation if listed else list[annotation]
        fault = None if _fits(whole, value) else ("value", f"not values {name} can hold")
    else:
        fault = None if value is None or _fits(annotation, value) else wrong_value
    return fault


def check(fact_type: str, conditions: Sequence[FactCondition], loc: Sequence[str]) -> None:
    """Refuse (422, each fault at its ``loc``) conditions naming a field the fact type's summary
    does not hold, or comparing it in a way its type does not allow."""
    known = fields_of(fact_type)
    errors: list[dict[str, Any]] = []
    for index, condition in enumerate(conditions):
        at = [*loc, str(index)]
        if condition.field not in known:
            names = ", ".join(sorted(known)) or "none"
            errors.append(
                {"loc": [*at, "field"], "msg": f"{fact_type} has no field {condition.field} (it has {names})"}
            )
            continue
        problem = _problem(condition, known[condition.field])
        if problem is not None:
            errors.append({"loc": [*at, problem[0]], "msg": problem[1]})
    if errors:
        raise Unprocessable("A condition does not fit the fact it is about.", errors)


# Matching ---------------------------------------------------------------------------------------
def _same(first: Any, second: Any) -> bool:
    """Equal and of one type: True is not 1, "5" is not 5."""
    return type(first) is type(second) and first == second


def _number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# op → whether (the fact's value, the condition's value) meets it. A fact without the number
# meets no comparison.
_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _same,
    "ne": lambda actual, value: not _same(actual, value),
    "in": lambda actual, value: any(_same(one, other) for one in _listed(actual) for other in _listed(value)),
    "has": lambda actual, value: isinstance(actual, list) and any(_same(one, value) for one in actual),
    "gt": lambda actual, value: _number(actual) and actual > value,
    "gte": lambda actual, value: _number(actual) and actual >= value,
    "lt": lambda actual, value: _number(actual) and actual < value,
    "lte": lambda actual, value: _number(actual) and actual <= value,
}


def matches(entry: TimelineEntry, conditions: Sequence[FactCondition]) -> bool:
    """Whether the fact meets every condition (no condition: it does). A field the fact lacks is
    null: only ``ne`` (and ``eq`` null) hold of it."""
    return all(_TESTS[condition.op](entry.summary.get(condition.field), condition.value) for condition in conditions)
