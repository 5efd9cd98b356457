"""Segments: dynamic ones whose membership follows each contact change, static ones from a list.

Membership is kept incrementally: whenever something about a contact may have changed (a fact
on its timeline, which includes its tags and owners; a profile edit; a stage or grade changed by
the sweep; new RFM scores; a merge or an erasure), ``reevaluate`` reads the contact as it is now
(profile, insight, memberships: consistent reads) and every segment of the tenant (one query),
and writes only the difference: the contact's memberships, a member item and a count shard per
segment entered or left, and one ``SegmentMembershipChanged`` listing them, in one transaction
guarded by the memberships' version. It reads state rather than trusting an event, so duplicates,
retries and reordering change nothing; a race re-evaluates.

So ``GET /v1/segments/{id}`` (its count: one query of the count shards) and ``/members`` (one
partition, paged) never scan. A new or edited rule is applied to every contact by a backfill job
(``segment_backfill``), which walks the tenant's contact listing (an index partition, not a
scan) and re-evaluates each contact; until it is done the segment says ``backfilling``.

Time alone changes some answers (``last_active_days``, a decaying ``lead_score``): the first
such moment is stored with the memberships and indexed; the sweep re-evaluates those contacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter

from services.contacts.dal import contacts as contacts_dal
from services.contacts.dal import insight as insight_dal
from services.contacts.dal import segments as dal
from services.contacts.logic import segment_rules
from services.contacts.models import Contact, Insight
from services.contacts.score_models import LeadScoring
from services.contacts.segment_models import (
    MAX_SEGMENTS,
    PreviewAnswer,
    Rule,
    Segment,
    SegmentList,
    SegmentMembers,
    SegmentTemplate,
    SegmentView,
    SegmentWrite,
    StaticMembers,
)
from shared import ids
from shared.auth.principal import StaffPrincipal
from shared.clock import now_rfc3339, rfc3339, utc_now
from shared.errors import ConcurrentUpdate, Conflict, Unprocessable
from shared.events.contacts import SegmentMembershipChanged
from shared.observability import logger
from shared.retry import retry_on_race

RULE = TypeAdapter(Rule)
EVALUATE_ATTEMPTS = 6
PREVIEW_SAMPLE = 500
BATCH = 100  # contacts evaluated from one set of batch reads
PREVIEW_SHOWN = 20


def parse_rule(raw: dict[str, Any]) -> Rule:
    return RULE.validate_python(raw)


def _rule_json(rule: Rule) -> dict[str, Any]:
    return dict(RULE.dump_python(rule, mode="json", by_alias=True))


def _check(tenant_id: str, rule: Rule, loc: list[Any]) -> None:
    names: set[str] | None = None

    def known_attribute(name: str) -> bool:
        nonlocal names
        if names is None:
            names = contacts_dal.attribute_names(tenant_id)
        return name in names

    segment_rules.check(rule, loc, lambda tag: dal.tag_in_use(tenant_id, tag), known_attribute)


# Evaluating one contact ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Evaluation:
    entered: list[str]
    left: list[str]


def _wanted(
    contact: Contact | None, insight: Insight | None, context: Context, now: datetime
) -> tuple[set[str], str | None]:
    """The dynamic segments a contact belongs in now, and when time alone may change that."""
    if contact is None or contact.erased or contact.is_alias:
        return set(), None
    dynamic = [(s, parse_rule(s.rule)) for s in context.segments if s.kind == "dynamic" and s.rule]
    subject = segment_rules.subject_of(contact, insight, context.scoring_rules, now)
    wanted = {segment.segment_id for segment, rule in dynamic if segment_rules.matches(rule, subject)}
    return wanted, segment_rules.next_flip([rule for _, rule in dynamic], subject, context.scoring_rules, now)


@dataclass(frozen=True)
class Context:
    """What every evaluation of a tenant reads: its segments and its lead scoring."""

    segments: list[Segment]
    scoring_rules: LeadScoring


def context_of(tenant_id: str) -> Context:
    return Context(dal.definitions(tenant_id), insight_dal.settings(tenant_id)[1])


def _settle(contact: Contact | None, insight: Insight | None, before: dal.Memberships, context: Context) -> Evaluation:
    """Write the difference between a contact's memberships as read and as its state says (raises
    ``ConcurrentUpdate`` when the memberships changed since they were read)."""
    now = utc_now()
    wanted, due_at = _wanted(contact, insight, context, now)
    # Ids this context does not know (a segment created after it was read, or deleted) are kept as
    # they are: only an evaluation that knows a segment may change its member and count items.
    existing = {segment.segment_id for segment in context.segments}
    held = set(before.segment_ids) & existing
    entered, left = sorted(wanted - held), sorted(held - wanted)
    gone = contact is None or contact.erased or contact.is_alias
    static = [s for s in before.static_ids if not (gone and s in existing)]
    left += sorted(set(before.static_ids) - set(static))
    unknown = set(before.segment_ids) - existing
    after = before.model_copy(update={"segment_ids": sorted(wanted | unknown), "static_ids": static, "due_at": due_at})
    if after == before:
        return Evaluation([], [])
    events: list[BaseModel] = []
    if entered or left:
        events.append(
            SegmentMembershipChanged(contact_id=before.contact_id, entered=entered, left=left, changed_at=now)
        )
    dal.change(before, after, entered, left, rfc3339(now), events)
    return Evaluation(entered, left)


def reevaluate(tenant_id: str, contact_id: str, context: Context | None = None) -> Evaluation:
    """Bring one contact's memberships in line with every segment of its tenant (idempotent).
    ``context``: the tenant's segments and scoring as read already (a batch reads them once)."""

    def attempt(number: int) -> Evaluation:
        known = context if context is not None and number == 0 else context_of(tenant_id)
        state = dal.states(tenant_id, [contact_id])[contact_id]
        return _settle(state.contact, state.insight, state.memberships, known)

    return retry_on_race(attempt, races=ConcurrentUpdate, attempts=EVALUATE_ATTEMPTS)


def reevaluate_many(
    tenant_id: str, contact_ids: list[str], context: Context, *, give_up_quietly: bool = False
) -> list[Evaluation]:
    """``reevaluate`` for a page of contacts (a backfill), their states read in batches; a
    contact that changed meanwhile is evaluated again on its own."""
    states = dal.states(tenant_id, contact_ids)
    evaluations = []
    for contact_id in contact_ids:
        state = states[contact_id]
        try:
            evaluation = _settle(state.contact, state.insight, state.memberships, context)
        except ConcurrentUpdate:
            try:
                evaluation = reevaluate(tenant_id, contact_id, context)
            except ConcurrentUpdate:
                if not give_up_quietly:
                    raise
                logger.warning("segment evaluation gave up after races", extra={"contact_id": contact_id})
                evaluation = Evaluation([], [])
        evaluations.append(evaluation)
    return evaluations


def on_contact_change(
    tenant_id: str, contact_id: str, *, scoring: LeadScoring | None = None, survivor_id: str | None = None
) -> None:
    """Something about the contact an id stands for may have changed: evaluate it (and, for an
    alias, empty the alias's own memberships too). A tenant without segments costs one query.
    ``scoring`` and ``survivor_id`` (the contact the id resolves to): when the caller read them."""
    from services.contacts.logic import merging

    segments = dal.definitions(tenant_id)
    if not segments:
        return
    context = Context(segments, scoring or insight_dal.settings(tenant_id)[1])
    if survivor_id is None:
        contact = merging.resolve(tenant_id, contact_id)
        survivor_id = contact.contact_id if contact is not None else contact_id
    if survivor_id != contact_id:
        reevaluate(tenant_id, contact_id, context)
    reevaluate(tenant_id, survivor_id, context)


def reevaluate_quietly(tenant_id: str, contact_ids: list[str]) -> None:
    """Re-evaluate contacts where a failure must not undo the caller's work (a batch): a page of
    100 at a time from batch reads; a contact that keeps racing is left to its next change."""
    if not contact_ids:
        return
    context = context_of(tenant_id)
    if not context.segments:
        return
    for start in range(0, len(contact_ids), BATCH):
        reevaluate_many(tenant_id, contact_ids[start : start + BATCH], context, give_up_quietly=True)


def sweep(only_tenant: str | None = None) -> dict[str, int]:
    """Re-evaluate every contact whose segments may change with time by now (from the index)."""
    report = {"due": 0, "changed": 0}
    for tenant_id, contact_id in dal.due(now_rfc3339()):
        if only_tenant is not None and tenant_id != only_tenant:
            continue
        report["due"] += 1
        evaluation = reevaluate(tenant_id, contact_id)
        report["changed"] += bool(evaluation.entered or evaluation.left)
    return report


# Segments --------------------------------------------------------------------------------------------
def _view(tenant_id: str, segment: Segment) -> SegmentView:
    return SegmentView(**segment.model_dump(), count=dal.count(tenant_id, segment.segment_id))


def create(staff: StaffPrincipal, request: SegmentWrite) -> SegmentView:
    tenant_id = staff.tenant_id
    rule = _valid(tenant_id, request)
    if len(dal.definitions(tenant_id)) >= MAX_SEGMENTS:
        raise Conflict(f"A tenant has at most {MAX_SEGMENTS} segments.")
    now = now_rfc3339()
    segment = Segment(
        segment_id=ids.new_id("sg_"),
        name=request.name,
        description=request.description,
        kind=request.kind,
        rule=_rule_json(rule) if rule is not None else None,
        status="backfilling" if request.kind == "dynamic" else "ready",
        created_by=staff.staff_id,
        created_at=now,
        updated_at=now,
    )
    if request.kind == "dynamic":
        segment = segment.model_copy(update={"backfill_job_id": _start_backfill(staff, segment.segment_id)})
    dal.save_definition(tenant_id, None, segment)
    if request.kind == "static" and request.contact_ids:
        change_static(staff, segment.segment_id, StaticMembers(add=request.contact_ids))
    return _view(tenant_id, segment)


def _valid(tenant_id: str, request: SegmentWrite) -> Rule | None:
    if request.kind == "dynamic":
        if request.rule is None:
            raise Unprocessable("A dynamic segment needs a rule.", [{"loc": ["body", "rule"], "msg": "required"}])
        if request.contact_ids:
            raise Unprocessable(
                "A dynamic segment's members come from its rule.",
                [{"loc": ["body", "contact_ids"], "msg": "only for a static segment"}],
            )
        _check(tenant_id, request.rule, ["body", "rule"])
        return request.rule
    if request.rule is not None:
        raise Unprocessable(
            "A static segment has no rule.", [{"loc": ["body", "rule"], "msg": "only for a dynamic segment"}]
        )
    return None


def update(staff: StaffPrincipal, segment_id: str, request: SegmentWrite) -> SegmentView:
    tenant_id = staff.tenant_id
    before = dal.definition(tenant_id, segment_id)
    if request.kind != before.kind:
        raise Unprocessable("A segment keeps its kind.", [{"loc": ["body", "kind"], "msg": f"it is {before.kind}"}])
    rule = _valid(tenant_id, request.model_copy(update={"contact_ids": []}))
    changes: dict[str, Any] = {
        "name": request.name,
        "description": request.description,
        "updated_at": now_rfc3339(),
        "version": before.version + 1,
    }
    if rule is not None and _rule_json(rule) != before.rule:
        changes |= {
            "rule": _rule_json(rule),
            "status": "backfilling",
            "backfill_job_id": _start_backfill(staff, segment_id),
        }
    after = before.model_copy(update=changes)
    dal.save_definition(tenant_id, before, after)
    return _view(tenant_id, after)


def delete(staff: StaffPrincipal, segment_id: str) -> None:
    """The definition goes; members' items stay orphaned (their memberships drop the id at their
    next evaluation, and nothing lists or counts a segment that is not defined)."""
    dal.delete_definition(staff.tenant_id, dal.definition(staff.tenant_id, segment_id))


def get(tenant_id: str, segment_id: str) -> SegmentView:
    return _view(tenant_id, dal.definition(tenant_id, segment_id))


def list_segments(tenant_id: str) -> SegmentList:
    return SegmentList(items=[_view(tenant_id, segment) for segment in dal.definitions(tenant_id)])


def members(tenant_id: str, segment_id: str, limit: int, cursor: str | None) -> SegmentMembers:
    dal.definition(tenant_id, segment_id)  # 404 for a segment that is not (or no longer) defined
    found, next_cursor = dal.members_page(tenant_id, segment_id, limit, cursor)
    return SegmentMembers(items=found, next_cursor=next_cursor)


def preview(tenant_id: str, rule: Rule) -> PreviewAnswer:
    """Evaluate a rule on the tenant's first contacts (by id) without saving anything: the share
    that matches estimates the segment; exact when the tenant has no more contacts than that."""
    _check(tenant_id, rule, ["body", "rule"])
    now = utc_now()
    found, next_cursor = contacts_dal.list_partition(
        tenant_id, contacts_dal.all_contacts_partition(tenant_id), PREVIEW_SAMPLE, None
    )
    insights = insight_dal.get_many(tenant_id, [contact.contact_id for contact in found])
    scoring_rules = insight_dal.settings(tenant_id)[1]
    matched = [
        contact.contact_id
        for contact in found
        if segment_rules.matches(
            rule, segment_rules.subject_of(contact, insights.get(contact.contact_id), scoring_rules, now)
        )
    ]
    share = len(matched) / len(found) if found else 0.0
    return PreviewAnswer(
        sampled=len(found),
        matched=len(matched),
        share=round(share, 4),
        sample=matched[:PREVIEW_SHOWN],
        complete=next_cursor is None,
    )


def change_static(staff: StaffPrincipal, segment_id: str, request: StaticMembers) -> SegmentView:
    """Put contacts in a static segment or take them out (ids of aliases count for their survivor;
    unknown or erased ids are refused before anything changes)."""
    from services.contacts.logic import merging

    tenant_id = staff.tenant_id
    segment = dal.definition(tenant_id, segment_id)
    if segment.kind != "static":
        raise Conflict("Only a static segment's members are set by hand.")
    wanted = [*request.add, *request.remove]
    resolved = merging.resolve_many(tenant_id, wanted)
    unknown = [contact_id for contact_id in wanted if contact_id not in resolved]
    if unknown:
        raise Unprocessable(
            "Unknown contacts.", [{"loc": ["body"], "msg": f"unknown contact {', '.join(unknown[:10])}"}]
        )
    now = utc_now()
    for contact_id, add in [(i, True) for i in request.add] + [(i, False) for i in request.remove]:
        _set_static(tenant_id, resolved[contact_id].contact_id, segment_id, add, now)
    return _view(tenant_id, segment)


def _set_static(tenant_id: str, contact_id: str, segment_id: str, add: bool, now: datetime) -> None:
    def attempt(_: int) -> None:
        before = dal.memberships(tenant_id, contact_id)
        held = segment_id in before.static_ids
        if held == add:
            return
        static = sorted({*before.static_ids, segment_id} if add else set(before.static_ids) - {segment_id})
        after = before.model_copy(update={"static_ids": static})
        entered, left = ([segment_id], []) if add else ([], [segment_id])
        events: list[BaseModel] = [
            SegmentMembershipChanged(contact_id=contact_id, entered=entered, left=left, changed_at=now)
        ]
        dal.change(before, after, entered, left, rfc3339(now), events)

    retry_on_race(attempt, races=ConcurrentUpdate, attempts=EVALUATE_ATTEMPTS)


# Backfill ----------------------------------------------------------------------------------------------
def _start_backfill(staff: StaffPrincipal, segment_id: str) -> str | None:
    from services.contacts.logic import segment_backfill

    return segment_backfill.start(staff, segment_id)


# Templates -----------------------------------------------------------------------------------------------
TEMPLATES = (
    SegmentTemplate(
        key="new_customers",
        name="新客",
        description="Contacts who have not yet ordered or earned enough points (stage new).",
        rule={"field": "lifecycle", "op": "eq", "value": "new"},
    ),
    SegmentTemplate(
        key="active_members",
        name="活跃会员",
        description="Active in the last 30 days and holding points.",
        rule={
            "and": [
                {"field": "last_active_days", "op": "lte", "value": 30},
                {"field": "points_balance", "op": "gt", "value": 0},
            ]
        },
    ),
    SegmentTemplate(
        key="high_value",
        name="高价值",
        description="The RFM groups worth the most: 重要价值 and 重要保持.",
        rule={"field": "rfm_group", "op": "in", "value": ["重要价值", "重要保持"]},
    ),
    SegmentTemplate(
        key="dormant",
        name="沉睡",
        description="No activity for the tenant's dormancy period (stage dormant).",
        rule={"field": "lifecycle", "op": "eq", "value": "dormant"},
    ),
    SegmentTemplate(
        key="churn_risk",
        name="流失风险",
        description="Customers who bought before (growing, mature or dormant) and have been quiet for 21 days or more.",
        rule={
            "and": [
                {"field": "lifecycle", "op": "in", "value": ["growing", "mature", "dormant"]},
                {"field": "last_active_days", "op": "gte", "value": 21},
            ]
        },
    ),
    SegmentTemplate(
        key="hot_leads",
        name="高意向线索",
        description="Lead grade A or B.",
        rule={"field": "lead_grade", "op": "in", "value": ["A", "B"]},
    ),
)


def templates() -> list[SegmentTemplate]:
    return list(TEMPLATES)
