"""Journeys run: contacts enter on their trigger, walk the steps of the version they entered, wait
in a time-bucketed due index swept every minute, and leave at an exit or their goal.

Exactly once per step per contact: an enrollment's ``seq`` counts its steps, and each step is one
transaction that moves the enrollment on (conditioned on ``seq`` and ``run``) together with the
step's effect — the send record and its cap counters, the tag or points event, the staff task —
and the step counters. A redelivered tick or event finds the step taken and does nothing.

A send outside the contact's reach (no consent, no address, the cap reached) is recorded skipped
and the journey goes on; a send in quiet hours waits at its step until they end. A WeChat message
is sent after its record is committed (at most once: it is marked attempted first); a WeCom
message becomes a one-recipient 群发 task for the friendship's staff member (WeCom has its staff
confirm every customer message), dispatched with its record.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.outreach.dal import caps as caps_dal
from services.outreach.dal import facts as facts_dal
from services.outreach.dal import journeys as dal
from services.outreach.dal import tasks as tasks_dal
from services.outreach.dal.caps import CapReached
from services.outreach.dal.table import mark_handled, table
from services.outreach.gateways.wechat import ChannelRefused
from services.outreach.journey_models import (
    AttributeCondition,
    BranchStep,
    Enrollment,
    EventCondition,
    EventMatch,
    JourneyDefinition,
    SegmentCondition,
    SendStep,
    TaskStep,
    WaitStep,
)
from services.outreach.logic import channels, delivery, templates
from services.outreach.logic import settings as outreach_settings
from services.outreach.models import ContactFacts
from services.outreach.task_models import StaffTask
from shared import files, ids
from shared.clock import rfc3339, utc_now
from shared.dynamo import Prepare, Transaction
from shared.events.outreach import (
    BroadcastDispatched,
    JourneyPointsGranted,
    JourneyTagDecided,
    WeComMessageContent,
)
from shared.inbox import handled
from shared.observability import logger
from shared.outbox import publish_with

MOST_STEPS_PER_RUN = 100  # a graph has at most 100 steps and no cycle without a wait
SEEN_KEPT = 20  # facts remembered per enrollment for "did it happen" branches
PAUSED_RETRY = timedelta(minutes=15)  # a paused journey's due contacts are looked at again then
STEP_TRIES = 5  # a step raising this many times in a row ends the contact's run (``_step_failed``)
EventData = dict[str, Any]


@dataclass
class Move:
    """What one step does: where the enrollment goes, what it writes with the move."""

    to: str
    state: str = "active"
    due_at: str | None = None
    awaiting: str | None = None
    effects: list[Callable[[Transaction], Any]] = field(default_factory=list)
    after_commit: Callable[[], None] | None = None


class Runner:
    """Runs enrollments of one tenant; caches definitions, settings and facts per run."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self._definitions: dict[tuple[str, int], JourneyDefinition | None] = {}
        self.settings = outreach_settings.get(tenant_id)
        self._status: dict[str, str | None] = {}
        self.items_read = 1  # items this runner read besides the enrollments given to it (settings)
        self.failed = 0  # steps that raised (each put off by ``_step_failed``)

    def facts(self, contact_id: str) -> ContactFacts | None:
        self.items_read += 1
        return facts_dal.get(self.tenant_id, contact_id)

    def definition(self, journey_id: str, version: int) -> JourneyDefinition | None:
        key = (journey_id, version)
        if key not in self._definitions:
            found = dal.get_version(self.tenant_id, journey_id, version)
            self.items_read += 1
            self._definitions[key] = found.definition if found else None
        return self._definitions[key]

    def status(self, journey_id: str) -> str | None:
        if journey_id not in self._status:
            journey = dal.get_journey(self.tenant_id, journey_id)
            self.items_read += 1
            self._status[journey_id] = journey.status if journey else None
        return self._status[journey_id]

    # Entering ------------------------------------------------------------------------------

    def enter(
        self,
        journey_id: str,
        version: int,
        contact_id: str,
        now: datetime,
        *,
        prepare: Prepare | None = None,
        year: int | None = None,
    ) -> bool:
        """Enroll the contact if its re-entry rule allows, and run it to its first wait."""
        definition = self.definition(journey_id, version)
        if definition is None:
            return False
        stamp = rfc3339(now)
        enrollment = Enrollment(
            tenant_id=self.tenant_id,
            contact_id=contact_id,
            journey_id=journey_id,
            journey_version=version,
            step_id=definition.entry,
            entered_at=stamp,
            updated_at=stamp,
        )
        existing = dal.get_enrollment(self.tenant_id, contact_id, journey_id, version)
        if existing is not None:
            enrollment = enrollment.model_copy(update={"run": existing.run + 1, "seq": 0})
        again_before = None
        if definition.reentry.mode == "after_days" and definition.reentry.days:
            again_before = rfc3339(now - timedelta(days=definition.reentry.days))
        tx = Transaction(table())
        if prepare is not None:
            prepare(tx)
        dal.enter(tx, enrollment, once=definition.reentry.mode == "once", again_before=again_before, year=year)
        dal.count(tx, enrollment, dal.JOURNEY_TOTAL, enrolled=1, active=1)
        dal.count(tx, enrollment, definition.entry, entered=1)
        try:
            tx.commit()
        except dal.EntryRefused:
            return False
        self.run(enrollment, now)
        return True

    # Walking -------------------------------------------------------------------------------

    def run(self, enrollment: Enrollment, now: datetime, *, resume: str | None = None) -> None:
        """Take steps until the enrollment waits or leaves. ``resume``: how a wait ended (next or
        timeout) when a due wait or an awaited event moves it on."""
        definition = self.definition(enrollment.journey_id, enrollment.journey_version)
        if definition is None:
            return
        steps = {step.id: step for step in definition.steps}
        for _ in range(MOST_STEPS_PER_RUN):
            step = steps[enrollment.step_id]
            if step.type == "exit":
                return
            try:
                move = self._step(enrollment, step, now, resume)
                after = self._moved(enrollment, move, now)
                tx = Transaction(table())
                dal.move(tx, enrollment, after)
                self._count_move(tx, enrollment, after, step.id, steps)
                for effect in move.effects:
                    effect(tx)
                tx.commit()
            except dal.StepTaken:
                return  # another delivery took this step
            except CapReached:
                continue  # a broadcast took the last of the cap meanwhile: the step is decided again
            except Exception as error:  # this contact's fault must hold up neither it nor the others
                logger.exception("journey step failed", extra={"journey_id": enrollment.journey_id})
                self.failed += 1
                _step_failed(enrollment, now, error)
                return
            resume = None
            if move.after_commit is not None:
                try:
                    move.after_commit()
                except Exception:  # the send stays attempted: never sent twice, and the journey goes on
                    logger.exception("a journey send's outcome is unknown", extra={"journey_id": after.journey_id})
            enrollment = after
            if after.state in ("waiting", "exited", "converted"):
                return

    def _moved(self, enrollment: Enrollment, move: Move, now: datetime) -> Enrollment:
        definition = self.definition(enrollment.journey_id, enrollment.journey_version)
        assert definition is not None
        target = next(step for step in definition.steps if step.id == move.to)
        state = "exited" if target.type == "exit" else move.state
        return enrollment.model_copy(
            update={
                "step_id": move.to,
                "seq": enrollment.seq + 1,
                "state": state,
                "due_at": move.due_at if state == "waiting" else None,
                "awaiting": move.awaiting if state == "waiting" else None,
                "updated_at": rfc3339(now),
            }
        )

    def _count_move(
        self, tx: Transaction, before: Enrollment, after: Enrollment, step_id: str, steps: dict[str, Any]
    ) -> None:
        was_waiting = before.state == "waiting"
        if after.step_id == step_id:  # waits at its step (a wait begins, a send waits out quiet hours)
            dal.count(tx, before, step_id, waiting=0 if was_waiting else 1)
            return
        dal.count(tx, before, step_id, passed=1, waiting=-1 if was_waiting else 0)
        arrived = steps[after.step_id]
        if arrived.type == "exit":
            dal.count(tx, before, after.step_id, entered=1, exited=1)
            dal.count(tx, before, dal.JOURNEY_TOTAL, active=-1, exited=1)
            dal.leave(tx, before)
        else:
            dal.count(tx, before, after.step_id, entered=1)

    def _step(self, enrollment: Enrollment, step: Any, now: datetime, resume: str | None) -> Move:
        if isinstance(step, WaitStep):
            return self._wait(enrollment, step, now, resume)
        if isinstance(step, BranchStep):
            return Move(to=step.yes if self._holds(enrollment, step) else step.no)
        if isinstance(step, SendStep):
            return self._send(enrollment, step, now)
        if isinstance(step, TaskStep):
            return self._task(enrollment, step, now)
        key = f"{enrollment.journey_id}#{enrollment.journey_version}#{enrollment.contact_id}#{enrollment.run}#{step.id}"
        if step.type == "tag":
            event: Any = JourneyTagDecided(
                decision_id=key,
                journey_id=enrollment.journey_id,
                contact_id=enrollment.contact_id,
                tag=step.tag,
                action=step.action,
            )
        else:
            event = JourneyPointsGranted(
                grant_id=key, journey_id=enrollment.journey_id, contact_id=enrollment.contact_id, points=step.points
            )
        return Move(to=step.next, effects=[lambda tx: publish_with(tx, self.tenant_id, event)])

    def _wait(self, enrollment: Enrollment, step: WaitStep, now: datetime, resume: str | None) -> Move:
        if resume == "next" or (resume == "due" and step.until_event is None):
            return Move(to=step.next)
        if resume == "due":  # a wait for an event that did not come in time
            return Move(to=step.timeout_next or step.next)
        if step.minutes is not None:
            due = now + timedelta(minutes=step.minutes)
        elif step.until_time is not None:
            due = next_time_of_day(now, step.until_time, self.settings.time_zone)
        else:
            due = now + timedelta(minutes=step.timeout_minutes or 0)
        awaiting = step.until_event.event if step.until_event else None
        return Move(to=step.id, state="waiting", due_at=rfc3339(due), awaiting=awaiting)

    def _holds(self, enrollment: Enrollment, step: BranchStep) -> bool:
        condition = step.condition
        if isinstance(condition, EventCondition):
            return any(matches(condition.match, seen.get("event"), seen) for seen in enrollment.seen)
        if isinstance(condition, SegmentCondition):
            self.items_read += 1
            member = facts_dal.memberships(self.tenant_id, enrollment.contact_id, [condition.segment_id])
            found = member.get(condition.segment_id)
            return bool(found and found.member)
        facts = self.facts(enrollment.contact_id)
        return attribute_holds(condition, facts)

    def _send(self, enrollment: Enrollment, step: SendStep, now: datetime) -> Move:
        allowed = delivery.next_allowed(now, self.settings)
        if allowed > now:  # quiet hours: the send waits at its step until they end
            return Move(to=step.id, state="waiting", due_at=rfc3339(allowed))
        record: dict[str, Any] = {"template_id": step.template_id, "created_at": rfc3339(now)}
        try:
            template = templates.get(self.tenant_id, step.template_id)
        except Exception:
            return Move(
                to=step.next,
                effects=[_record(enrollment, step.id, record | {"outcome": "skipped", "reason": "no_template"})],
            )
        facts = self.facts(enrollment.contact_id)
        app_id = getattr(template.content, "app_id", None)
        channel = channels.adapter(template.channel)
        address = delivery.address_of(facts, template.channel, app_id) if facts else "contact_gone"
        if channel.delivery == "group_chats":
            address = "not_a_contact_channel"
        if isinstance(address, str):
            return Move(
                to=step.next, effects=[_record(enrollment, step.id, record | {"outcome": "skipped", "reason": address})]
            )
        assert facts is not None
        windows = delivery.cap_windows(self.settings, template.channel, now)
        if windows and caps_dal.at_cap(self.tenant_id, {enrollment.contact_id: windows}):
            return Move(
                to=step.next,
                effects=[_record(enrollment, step.id, record | {"outcome": "skipped", "reason": "cap_reached"})],
            )
        owner_name = None
        if facts.owner:
            owner_name = facts_dal.staff_names(self.tenant_id, [facts.owner]).get(facts.owner)
        content = templates.render(template, facts, owner_name, now, self.settings.time_zone)
        queued = record | {
            "outcome": "queued",
            "channel": template.channel,
            "state": "queued",
            "staff_id": address.staff_id,
            "openid": address.openid,
        }
        effects: list[Callable[[Transaction], Any]] = [
            _record(enrollment, step.id, queued),
            lambda tx: caps_dal.count_in(tx, self.tenant_id, enrollment.contact_id, windows),
        ]
        after_commit = None
        if channel.delivery == "staff_confirmed":
            effects.append(self._wecom_dispatch(enrollment, step, address, content))
        else:

            def send_now() -> None:
                self._send_direct(enrollment, step.id, channel, address, content.model_dump(mode="json"))

            after_commit = send_now
        return Move(to=step.next, effects=effects, after_commit=after_commit)

    def _wecom_dispatch(
        self, enrollment: Enrollment, step: SendStep, address: channels.Address, content: Any
    ) -> Callable[[Transaction], Any]:
        send_id = (
            f"{enrollment.journey_id}.{enrollment.journey_version}.{enrollment.contact_id}.{enrollment.run}.{step.id}"
        )
        key = files.key("outreach", "dispatches", self.tenant_id, "journeys", f"{send_id}.json")
        files.put(key, json.dumps([address.external_userid]).encode(), "application/json")
        event = BroadcastDispatched(
            broadcast_id=enrollment.journey_id,
            dispatch_id=send_id,
            corp_id=str(address.corp_id),
            staff_id=str(address.staff_id),
            chat_type="single",
            recipients_key=key,
            recipients=1,
            content=WeComMessageContent.model_validate(content.model_dump(mode="json")),
        )
        return lambda tx: publish_with(tx, self.tenant_id, event)

    def _send_direct(
        self,
        enrollment: Enrollment,
        step_id: str,
        channel: channels.ChannelAdapter,
        address: channels.Address,
        content: EventData,
    ) -> None:
        dal.set_send_state(enrollment, step_id, "attempted")
        message_id = (
            f"{enrollment.journey_id}#{enrollment.journey_version}#{enrollment.contact_id}#{enrollment.run}#{step_id}"
        )
        try:
            channel.send(self.tenant_id, message_id, address, content)
        except ChannelRefused as refused:
            dal.set_send_state(enrollment, step_id, "failed", refused.reason)
            return
        dal.set_send_state(enrollment, step_id, "sent")

    def _task(self, enrollment: Enrollment, step: TaskStep, now: datetime) -> Move:
        facts = self.facts(enrollment.contact_id)
        owner = facts.owner if facts else None
        if owner is None:  # nobody to give it to: the journey goes on
            return Move(to=step.next)
        suggested = None
        if step.template_id:
            try:
                template = templates.get(self.tenant_id, step.template_id)
                owner_name = facts_dal.staff_names(self.tenant_id, [owner]).get(owner)
                content = templates.render(template, facts, owner_name, now, self.settings.time_zone)  # type: ignore[arg-type]
                suggested = getattr(content, "text", None)
            except Exception:
                suggested = None
        stamp = rfc3339(now)
        task = StaffTask(
            tenant_id=self.tenant_id,
            task_id=ids.new_id("tk_"),
            staff_id=owner,
            contact_id=enrollment.contact_id,
            journey_id=enrollment.journey_id,
            step_id=step.id,
            title=step.title,
            note=step.note,
            suggested_message=suggested,
            due_at=rfc3339(now + timedelta(minutes=step.due_in_minutes)),
            created_at=stamp,
            updated_at=stamp,
        )
        return Move(to=step.next, effects=[lambda tx: tasks_dal.create(tx, task)])


def _record(enrollment: Enrollment, step_id: str, record: dict[str, Any]) -> Callable[[Transaction], Any]:
    return lambda tx: dal.record_send(tx, enrollment, step_id, record)


def next_time_of_day(now: datetime, clock: str, zone: str) -> datetime:
    """The next ``HH:MM`` in ``zone`` after ``now`` (today's if still ahead, else tomorrow's)."""
    local = now.astimezone(ZoneInfo(zone))
    hours, minutes = (int(part) for part in clock.split(":"))
    target = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    if target <= local:
        target = (local + timedelta(days=1)).replace(hour=hours, minute=minutes, second=0, microsecond=0)
    return target.astimezone(UTC)


def matches(match: EventMatch, event_type: Any, data: EventData) -> bool:
    """Whether an event (its type and data fields) is what ``match`` names."""
    return event_type == match.event and all(data.get(name) == value for name, value in match.where.items())


def attribute_holds(condition: AttributeCondition, facts: ContactFacts | None) -> bool:
    if facts is None:
        return False
    if condition.attribute == "tag":
        has = str(condition.value) in facts.tags
        return has if condition.op in ("has", "eq") else not has
    if condition.attribute == "has_wecom_friend":
        return bool(facts.friends) == bool(condition.value)
    value: Any = facts.lifecycle_stage if condition.attribute == "lifecycle_stage" else facts.points_balance
    return value is not None and _compare(value, condition.op, condition.value)


def _compare(value: Any, op: str, target: Any) -> bool:
    if op == "eq":
        return bool(value == target)
    if op == "ne":
        return bool(value != target)
    numbers = all(isinstance(x, int) and not isinstance(x, bool) for x in (value, target))
    if not numbers or op not in ("gte", "lte"):
        return False
    return bool(value >= target) if op == "gte" else bool(value <= target)


# The events and the tick -------------------------------------------------------------------------


def on_event(
    tenant_id: str,
    event_id: str,
    consumer: str,
    event_type: str,
    contact_id: str,
    data: EventData,
    trigger_keys: list[str],
) -> None:
    """A fact about a contact: it moves waits that wait for it, exits contacts whose goal it is,
    is remembered for branches, and enrolls the contact in the live journeys it starts."""
    runner = Runner(tenant_id)
    now = utc_now()
    remembered = {"event": event_type, **{k: v for k, v in data.items() if isinstance(v, str | int | bool)}}
    for enrollment in dal.enrollments_of(tenant_id, contact_id):
        if enrollment.state in ("exited", "converted") or runner.status(enrollment.journey_id) != "live":
            continue
        definition = runner.definition(enrollment.journey_id, enrollment.journey_version)
        if definition is None:
            continue
        if definition.goal is not None and matches(definition.goal, event_type, data):
            convert(enrollment, definition, now)
            continue
        step = next(step for step in definition.steps if step.id == enrollment.step_id)
        if (
            enrollment.state == "waiting"
            and isinstance(step, WaitStep)
            and step.until_event is not None
            and matches(step.until_event, event_type, data)
        ):
            runner.run(enrollment, now, resume="next")
            continue
        remember(enrollment, remembered)
    marked = False
    for key in trigger_keys:
        for journey_id, version in dal.triggered(tenant_id, key):
            definition = runner.definition(journey_id, version)
            trigger = definition.trigger if definition else None
            if trigger is None or (trigger.kind == "event" and not matches(trigger.match, event_type, data)):
                continue
            prepare = None if marked else handled(consumer, tenant_id, event_id)
            if runner.enter(journey_id, version, contact_id, now, prepare=prepare):
                marked = True
    if not marked:
        mark_handled(consumer, tenant_id, event_id)


def nothing_to_do(tenant_id: str, event_id: str, consumer: str) -> None:
    """An event no journey concerns (a case without a member): handled, with nothing to write."""
    mark_handled(consumer, tenant_id, event_id)


def remember(enrollment: Enrollment, seen: EventData) -> None:
    after = enrollment.model_copy(update={"seen": [*enrollment.seen, seen][-SEEN_KEPT:]})
    tx = Transaction(table())
    dal.move(tx, enrollment, after)
    with suppress(dal.StepTaken):  # it moved meanwhile: the fact is not needed by a step already past
        tx.commit()


def convert(enrollment: Enrollment, definition: JourneyDefinition, now: datetime) -> None:
    """The goal reached: the contact leaves the journey, counted converted."""
    _leave_early(enrollment, now, "converted")


def _leave_early(enrollment: Enrollment, now: datetime, state: str, **noted: Any) -> None:
    """The contact leaves the journey from the step it is at (not through an exit step): counted
    exited at that step, and converted or exited in the journey's totals."""
    after = enrollment.model_copy(
        update={
            "state": state,
            "seq": enrollment.seq + 1,
            "due_at": None,
            "awaiting": None,
            "updated_at": rfc3339(now),
            **noted,
        }
    )
    tx = Transaction(table())
    dal.move(tx, enrollment, after)
    dal.count(tx, enrollment, enrollment.step_id, waiting=-1 if enrollment.state == "waiting" else 0, exited=1)
    dal.count(tx, enrollment, dal.JOURNEY_TOTAL, active=-1, **{state: 1})
    dal.leave(tx, enrollment)
    with suppress(dal.StepTaken):
        tx.commit()


def tick(most: int | None = None) -> dict[str, int]:
    """Move on every waiting enrollment that is due (read from the due index only)."""
    now = utc_now()
    runners: dict[str, Runner] = {}
    moved = paused = 0
    for enrollment in list(dal.due(rfc3339(now), most)):
        runner = runners.get(enrollment.tenant_id) or runners.setdefault(
            enrollment.tenant_id, Runner(enrollment.tenant_id)
        )
        if runner.status(enrollment.journey_id) != "live":
            _postpone(enrollment, now + PAUSED_RETRY)
            paused += 1
            continue
        definition = runner.definition(enrollment.journey_id, enrollment.journey_version)
        step = next((s for s in definition.steps if s.id == enrollment.step_id), None) if definition else None
        resume = "due" if isinstance(step, WaitStep) else None
        failed_before = runner.failed
        runner.run(enrollment, now, resume=resume)
        if runner.failed == failed_before:
            moved += 1
    items_read = moved + paused + sum(runner.items_read for runner in runners.values())
    return {
        "journey_steps_due": moved,
        "journey_paused": paused,
        "journey_failed": sum(runner.failed for runner in runners.values()),
        "journey_items_read": items_read,
    }


def sweep_dates(now: datetime | None = None) -> int:
    """Enroll the day's birthdays in each live date journey, once the day's ``at`` has come in
    the tenant's time zone (once a year each: the entry guard is per year)."""
    now = now or utc_now()
    entered = 0
    for tenant_id, journey_id in dal.date_journeys():
        journey = dal.get_journey(tenant_id, journey_id)
        if journey is None or journey.status != "live":
            continue
        runner = Runner(tenant_id)
        definition = runner.definition(journey_id, journey.latest_version)
        if definition is None or definition.trigger.kind != "date":
            continue
        local = now.astimezone(ZoneInfo(runner.settings.time_zone))
        if local.strftime("%H:%M") < definition.trigger.at:
            continue
        day = local.date().isoformat()
        if dal.date_swept(tenant_id, journey_id, day):
            continue
        for contact_id in facts_dal.birthdays(tenant_id, birthday_keys(local.date())):
            if runner.enter(journey_id, journey.latest_version, contact_id, now, year=local.year):
                entered += 1
        dal.mark_date_swept(tenant_id, journey_id, day)
    return entered


def birthday_keys(day: date) -> list[str]:
    """The birthdays (MM-DD) celebrated on ``day``: 29 February's on the 28th in a common year."""
    keys = [day.strftime("%m-%d")]
    if keys[0] == "02-28" and not calendar.isleap(day.year):
        keys.append("02-29")
    return keys


def _step_failed(enrollment: Enrollment, now: datetime, error: Exception) -> None:
    """The step waits to be tried again by the tick, backing off (2, 4, 8, 16 minutes); after
    ``STEP_TRIES`` tries the contact leaves the journey, counted exited at that step, with the reason
    kept on its enrollment (a step that cannot succeed is not tried every minute for ever)."""
    failures = (enrollment.failures if enrollment.failing_seq == enrollment.seq else 0) + 1
    reason = f"{type(error).__name__}: {error}"[:500]
    if failures < STEP_TRIES:
        after = enrollment.model_copy(
            update={
                "state": "waiting",
                "failures": failures,
                "failing_seq": enrollment.seq,
                "due_at": rfc3339(now + timedelta(minutes=2**failures)),
            }
        )
        tx = Transaction(table())
        dal.move(tx, enrollment, after)
        if enrollment.state != "waiting":  # it now waits at its step, as a send waits out quiet hours
            dal.count(tx, enrollment, enrollment.step_id, waiting=1)
        with suppress(dal.StepTaken):
            tx.commit()
        return
    _leave_early(enrollment, now, "exited", failures=failures, failing_seq=enrollment.seq, error=reason)
    logger.error("journey step gave up", extra={"journey_id": enrollment.journey_id, "reason": reason})


def _postpone(enrollment: Enrollment, until: datetime) -> None:
    after = enrollment.model_copy(update={"due_at": rfc3339(until)})
    tx = Transaction(table())
    dal.move(tx, enrollment, after)
    with suppress(dal.StepTaken):
        tx.commit()
