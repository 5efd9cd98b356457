"""Segment rules: checked once when written, evaluated against one contact at a time.

A contact is seen as a ``Subject``: its profile (tags, owners, source, attributes) and its
insight (stage, RFM group, lead score and grade, points, last activity) at one moment. A field
the contact lacks (no RFM yet, an attribute never set) meets only ``ne``.

Two fields change with time alone: ``last_active_days`` (a day more every day) and
``lead_score`` (it decays). ``next_flip`` gives the first moment any condition of any rule may
change its answer, so the contact is evaluated again then (the segments' due index).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, get_args

from services.contacts.logic import scoring
from services.contacts.logic.insight import idle_since
from services.contacts.models import Contact, Insight, LifecycleStage, RfmGroup
from services.contacts.score_models import Grade, LeadScoring
from services.contacts.segment_models import MAX_CONDITIONS, MAX_DEPTH, AllOf, AnyOf, Condition, Rule
from shared.clock import parse_rfc3339, rfc3339
from shared.errors import Unprocessable

ATTRIBUTE_PREFIX = "attributes."
EQUALITY = frozenset({"eq", "ne", "in"})
NUMERIC = frozenset({"eq", "ne", "in", "gt", "gte", "lt", "lte"})
SETS = frozenset({"has", "in", "eq", "ne"})
DAY = timedelta(days=1)


@dataclass(frozen=True)
class FieldSpec:
    kind: str  # "text", "number", "set" (the contact holds several values: tags, owners, brands)
    ops: frozenset[str]
    values: tuple[str, ...] = ()  # the only values allowed (a closed list), if any


FIELDS: dict[str, FieldSpec] = {
    "tag": FieldSpec("set", frozenset({"has", "in"})),
    "lifecycle": FieldSpec("text", EQUALITY, get_args(LifecycleStage)),
    "rfm_group": FieldSpec("text", EQUALITY, get_args(RfmGroup)),
    "lead_grade": FieldSpec("text", EQUALITY, get_args(Grade)),
    "lead_score": FieldSpec("number", NUMERIC),
    "points_tier": FieldSpec("text", EQUALITY),
    "points_balance": FieldSpec("number", NUMERIC),
    "owner_staff_id": FieldSpec("set", SETS),
    "source.campaign_id": FieldSpec("text", EQUALITY),
    "source.channel": FieldSpec("text", EQUALITY),
    "source.staff_id": FieldSpec("text", EQUALITY),
    "brand": FieldSpec("set", SETS),
    "last_active_days": FieldSpec("number", NUMERIC),
}
ATTRIBUTE_SPEC = FieldSpec("any", NUMERIC)


# Checking ---------------------------------------------------------------------------------------
def conditions(rule: Rule, loc: tuple[Any, ...] = ()) -> Iterator[tuple[Condition, tuple[Any, ...], int]]:
    """Every condition of a rule with its loc and depth (a condition alone is depth 1)."""

    def walk(node: Rule, at: tuple[Any, ...], depth: int) -> Iterator[tuple[Condition, tuple[Any, ...], int]]:
        if isinstance(node, Condition):
            yield node, at, depth
        elif isinstance(node, AllOf):
            for index, child in enumerate(node.all_of):
                yield from walk(child, (*at, "and", index), depth + 1)
        elif isinstance(node, AnyOf):
            for index, child in enumerate(node.any_of):
                yield from walk(child, (*at, "or", index), depth + 1)
        else:
            yield from walk(node.none_of, (*at, "not"), depth + 1)

    return walk(rule, loc, 1)


def spec_of(name: str) -> FieldSpec | None:
    if name.startswith(ATTRIBUTE_PREFIX) and len(name) > len(ATTRIBUTE_PREFIX):
        return ATTRIBUTE_SPEC
    return FIELDS.get(name)


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _value_problem(condition: Condition, spec: FieldSpec) -> str | None:
    values = condition.value if isinstance(condition.value, list) else [condition.value]
    problems = (
        (condition.op == "in" and not isinstance(condition.value, list), "in takes a list of values"),
        (condition.op != "in" and isinstance(condition.value, list), f"{condition.op} takes one value"),
        (
            condition.op in ("gt", "gte", "lt", "lte") and not _is_number(condition.value),
            f"{condition.op} takes a number",
        ),
        (spec.kind == "number" and not all(_is_number(value) for value in values), f"{condition.field} is a number"),
        (
            spec.kind in ("text", "set") and not all(isinstance(value, str) for value in values),
            f"{condition.field} takes text",
        ),
        (
            bool(spec.values) and any(value not in spec.values for value in values),
            f"{condition.field} is one of {', '.join(spec.values)}",
        ),
    )
    return next((message for failed, message in problems if failed), None)


def check(
    rule: Rule,
    loc: Sequence[Any],
    known_tag: Callable[[str], bool],
    known_attribute: Callable[[str], bool],
) -> None:
    """Refuse (422 at each fault's loc) a rule deeper than ``MAX_DEPTH``, with more than
    ``MAX_CONDITIONS`` conditions, or naming an unknown field, op, tag or attribute."""
    found = list(conditions(rule, tuple(loc)))
    errors: list[dict[str, Any]] = []
    if len(found) > MAX_CONDITIONS:
        errors.append({"loc": list(loc), "msg": f"at most {MAX_CONDITIONS} conditions ({len(found)} given)"})
    deepest = max(depth for _, _, depth in found)
    if deepest > MAX_DEPTH:
        errors.append({"loc": list(loc), "msg": f"at most {MAX_DEPTH} levels ({deepest} given)"})
    for condition, at, _ in found:
        spec = spec_of(condition.field)
        if spec is None:
            errors.append({"loc": [*at, "field"], "msg": f"unknown field {condition.field}"})
            continue
        if condition.op not in spec.ops:
            errors.append({"loc": [*at, "op"], "msg": f"{condition.field} takes {', '.join(sorted(spec.ops))}"})
            continue
        problem = _value_problem(condition, spec)
        if problem:
            errors.append({"loc": [*at, "value"], "msg": problem})
        elif condition.field == "tag":
            unknown = [tag for tag in _listed(condition.value) if not known_tag(str(tag))]
            if unknown:
                errors.append({"loc": [*at, "value"], "msg": f"unknown tag {', '.join(map(str, unknown))}"})
        elif spec is ATTRIBUTE_SPEC and not known_attribute(condition.field.removeprefix(ATTRIBUTE_PREFIX)):
            errors.append({"loc": [*at, "field"], "msg": f"no contact has the attribute {condition.field}"})
    if errors:
        raise Unprocessable("The rule cannot be used.", errors)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# Evaluating -------------------------------------------------------------------------------------
@dataclass
class Subject:
    """What rules see of one contact at one moment."""

    values: dict[str, Any] = field(default_factory=dict)
    idle_since: str | None = None
    lead_millis: int = 0
    lead_as_of: str | None = None


def subject_of(contact: Contact, insight: Insight | None, scoring_rules: LeadScoring, now: datetime) -> Subject:
    insight = insight or Insight(tenant_id=contact.tenant_id, contact_id=contact.contact_id)
    source = contact.source or {}
    since = idle_since(insight) or contact.created_at
    brands = {brand for brand in contact.owners if brand != "*"} | ({source["brand"]} if source.get("brand") else set())
    values: dict[str, Any] = {
        "tag": set(contact.tags),
        "lifecycle": insight.lifecycle,
        "rfm_group": insight.rfm.group if insight.rfm else None,
        "lead_grade": scoring.grade_of(scoring.score_now(insight, scoring_rules, now), scoring_rules),
        "lead_score": round(scoring.score_now(insight, scoring_rules, now) / scoring.MILLIS),
        "points_tier": insight.points_tier,
        "points_balance": insight.points_balance,
        "owner_staff_id": set(contact.owners.values()),
        "source.campaign_id": source.get("campaign_id"),
        "source.channel": source.get("channel"),
        "source.staff_id": source.get("staff_id"),
        "brand": brands,
        "last_active_days": (now - parse_rfc3339(since)) // DAY,
    }
    values |= {f"{ATTRIBUTE_PREFIX}{name}": value for name, value in contact.attributes.items()}
    return Subject(values, since, insight.lead_millis, insight.lead_as_of)


def _same(first: Any, second: Any) -> bool:
    return type(first) is type(second) and first == second


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _same,
    "ne": lambda actual, value: not _same(actual, value),
    "in": lambda actual, value: any(_same(actual, other) for other in _listed(value)),
    "gt": lambda actual, value: _is_number(actual) and _is_number(value) and actual > value,
    "gte": lambda actual, value: _is_number(actual) and _is_number(value) and actual >= value,
    "lt": lambda actual, value: _is_number(actual) and _is_number(value) and actual < value,
    "lte": lambda actual, value: _is_number(actual) and _is_number(value) and actual <= value,
}


def _meets(condition: Condition, actual: Any) -> bool:
    """A set field (tags, owners, brands) meets has / in / eq when it holds one of the values,
    ne when it holds none; a missing value meets only ne."""
    if isinstance(actual, set):
        held = any(_same(one, other) for one in actual for other in _listed(condition.value))
        return not held if condition.op == "ne" else held
    if actual is None:
        return condition.op == "ne"
    return _COMPARE[condition.op](actual, condition.value)


def matches(rule: Rule, subject: Subject) -> bool:
    if isinstance(rule, Condition):
        return _meets(rule, subject.values.get(rule.field))
    if isinstance(rule, AllOf):
        return all(matches(child, subject) for child in rule.all_of)
    if isinstance(rule, AnyOf):
        return any(matches(child, subject) for child in rule.any_of)
    return not matches(rule.none_of, subject)


def _thresholds(condition: Condition) -> list[int]:
    return [value for value in _listed(condition.value) if _is_number(value)]


def next_flip(rules: Sequence[Rule], subject: Subject, scoring_rules: LeadScoring, now: datetime) -> str | None:
    """The first moment after ``now`` at which time alone may change a condition's answer."""
    moments: list[datetime] = []
    for rule in rules:
        for condition, _, _ in conditions(rule):
            if condition.field == "last_active_days" and subject.idle_since is not None:
                start = parse_rfc3339(subject.idle_since)
                for days in _thresholds(condition):
                    # The day count passes N at N days and N + 1 days after the last activity.
                    moments += [start + days * DAY, start + (days + 1) * DAY]
            elif condition.field == "lead_score" and subject.lead_as_of and scoring_rules.half_life_days:
                millis = scoring.decayed(subject.lead_millis, subject.lead_as_of, now, scoring_rules)
                for points in _thresholds(condition):
                    # Rounded scores change at half-points: the score falls to points ± 0.5.
                    for edge in (points + 0.5, points - 0.5):
                        if edge > 0 and millis > edge * scoring.MILLIS:
                            wait = scoring_rules.half_life_days * math.log2(millis / (edge * scoring.MILLIS))
                            moments.append(now + timedelta(days=wait, milliseconds=1))
    later = [moment for moment in moments if moment > now]
    return rfc3339(min(later)) if later else None
