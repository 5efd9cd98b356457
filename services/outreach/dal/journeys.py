"""Journeys, their versions and stats, the trigger index, and enrollments.

Partitions (pk):
- T#{t}#JOURNEY#{journey_id}   the journey (sk JOURNEY; gsi1 T#{t}#JOURNEYS newest first), its versions
                               (sk V#{version:06d}, written once) and per-step counters
                               (sk STAT#{version:06d}#{step_id}; STAT#{version:06d}#~ for the version)
- T#{t}#JTRIGGER#{key}         live journeys started by a trigger (sk J#{journey_id}): key is
                               event:{type}, segment:{id}, lifecycle:{stage} or date:birthday
- JDATE#ALL                    live date-triggered journeys of every tenant (sk {t}#{journey_id})
- T#{t}#JDATEDONE#{journey}    a date journey's days already swept (sk the local date; TTL 40 days)
- T#{t}#ENROLL#{contact_id}    the contact's enrollments (sk J#{journey_id}#V#{version:06d}; gsi3
                               JDUE#{shard} / {due_at}#… while waiting for a time) and its entry
                               guards (sk J#{journey_id}: runs, last entry, active; sk
                               J#{journey_id}#Y#{year} for a yearly date journey)
- T#{t}#JSEND#{contact_id}     a journey send's record (sk {journey}#{version}#{run}#{step_id}), written once
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from services.outreach.dal.table import table
from services.outreach.journey_models import Enrollment, Journey, JourneyDefinition, JourneyVersion, StepStats
from shared.dynamo import (
    Filter,
    Prepare,
    Transaction,
    batch_get,
    due_by,
    get_item,
    partition_items,
    query_page,
    shard_of,
)
from shared.errors import ConcurrentUpdate, Conflict
from shared.manifest import TTL_ATTRIBUTE

DUE_SHARDS = 4
JOURNEY_SK = "JOURNEY"
DATE_DONE_TTL_SECONDS = 40 * 86_400


class EntryRefused(Conflict):
    """The contact may not enter the journey now (once only, or not again so soon)."""


class StepTaken(Conflict):
    """The enrollment moved on meanwhile: this step was taken already (a redelivery)."""


def _journey_pk(tenant_id: str, journey_id: str) -> str:
    return f"T#{tenant_id}#JOURNEY#{journey_id}"


def _enroll_pk(tenant_id: str, contact_id: str) -> str:
    return f"T#{tenant_id}#ENROLL#{contact_id}"


# Journeys and versions ------------------------------------------------------------------------


def _journey_item(journey: Journey) -> dict[str, Any]:
    return {
        "pk": _journey_pk(journey.tenant_id, journey.journey_id),
        "sk": JOURNEY_SK,
        **journey.model_dump(mode="json"),
        "gsi1pk": f"T#{journey.tenant_id}#JOURNEYS",
        "gsi1sk": f"{journey.created_at}#{journey.journey_id}",
    }


def _version_item(tenant_id: str, version: JourneyVersion) -> dict[str, Any]:
    return {
        "pk": _journey_pk(tenant_id, version.journey_id),
        "sk": f"V#{version.version:06d}",
        **version.model_dump(mode="json"),
    }


def trigger_key(definition: JourneyDefinition) -> str:
    trigger = definition.trigger
    if trigger.kind == "event":
        return f"event:{trigger.match.event}"
    if trigger.kind == "segment_entered":
        return f"segment:{trigger.segment_id}"
    if trigger.kind == "lifecycle_changed":
        return f"lifecycle:{trigger.to_stage}"
    return f"date:{trigger.attribute}"


def _trigger_writes(tx: Transaction, journey: Journey, definition: JourneyDefinition, live: bool) -> None:
    """The trigger index says which live version a trigger enrolls into (gone while not live)."""
    key = {"pk": f"T#{journey.tenant_id}#JTRIGGER#{trigger_key(definition)}", "sk": f"J#{journey.journey_id}"}
    date_key = {"pk": "JDATE#ALL", "sk": f"{journey.tenant_id}#{journey.journey_id}"}
    is_date = definition.trigger.kind == "date"
    if live:
        tx.put({**key, "journey_id": journey.journey_id, "journey_version": journey.latest_version})
        if is_date:
            tx.put({**date_key, "tenant_id": journey.tenant_id, "journey_id": journey.journey_id})
    else:
        tx.delete(key)
        if is_date:
            tx.delete(date_key)


def save_journey(
    before: Journey | None,
    after: Journey,
    new_version: JourneyVersion | None,
    definition: JourneyDefinition,
    previous: JourneyDefinition | None = None,
    prepare: Prepare | None = None,
) -> None:
    """Write the journey (on its record version), a new graph version (once), and the trigger
    index as the live version now stands."""
    tx = Transaction(table())
    if prepare is not None:
        prepare(tx)
    if before is None:
        tx.create(_journey_item(after))
    else:
        tx.put(
            _journey_item(after),
            condition="version = :v",
            values={":v": before.version},
            on_fail=ConcurrentUpdate("The journey changed meanwhile; read it again."),
        )
    if new_version is not None:
        tx.create(_version_item(after.tenant_id, new_version))
    if previous is not None and trigger_key(previous) != trigger_key(definition):
        _trigger_writes(tx, after, previous, live=False)
    if after.status == "live" or (before is not None and before.status == "live"):
        _trigger_writes(tx, after, definition, live=after.status == "live")
    tx.commit()


def get_journey(tenant_id: str, journey_id: str) -> Journey | None:
    item = get_item(table(), {"pk": _journey_pk(tenant_id, journey_id), "sk": JOURNEY_SK})
    return Journey.model_validate(item) if item else None


def journeys_page(tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Journey], str | None]:
    found = query_page(
        table(),
        partition_attr="gsi1pk",
        partition_value=f"T#{tenant_id}#JOURNEYS",
        index="gsi1",
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [Journey.model_validate(item) for item in found.items], found.next_cursor


def get_version(tenant_id: str, journey_id: str, version: int) -> JourneyVersion | None:
    item = get_item(table(), {"pk": _journey_pk(tenant_id, journey_id), "sk": f"V#{version:06d}"}, consistent=False)
    return JourneyVersion.model_validate(item) if item else None


def versions_page(
    tenant_id: str, journey_id: str, limit: int, cursor: str | None
) -> tuple[list[JourneyVersion], str | None]:
    found = query_page(
        table(),
        partition_attr="pk",
        partition_value=_journey_pk(tenant_id, journey_id),
        sort_prefix=("sk", "V#"),
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [JourneyVersion.model_validate(item) for item in found.items], found.next_cursor


def triggered(tenant_id: str, key: str) -> list[tuple[str, int]]:
    """(journey, live version) of every live journey that ``key`` starts."""
    found = partition_items(table(), f"T#{tenant_id}#JTRIGGER#{key}")
    return [(str(item["journey_id"]), int(item["journey_version"])) for item in found]


def date_journeys() -> list[tuple[str, str]]:
    """(tenant, journey) of every live date-triggered journey."""
    return [(str(item["tenant_id"]), str(item["journey_id"])) for item in partition_items(table(), "JDATE#ALL")]


def _date_done_key(tenant_id: str, journey_id: str, day: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#JDATEDONE#{journey_id}", "sk": day}


def date_swept(tenant_id: str, journey_id: str, day: str) -> bool:
    return get_item(table(), _date_done_key(tenant_id, journey_id, day)) is not None


def mark_date_swept(tenant_id: str, journey_id: str, day: str) -> None:
    """The day's contacts are enrolled: later ticks that day read nothing more."""
    tx = Transaction(table())
    tx.put({**_date_done_key(tenant_id, journey_id, day), TTL_ATTRIBUTE: int(time.time()) + DATE_DONE_TTL_SECONDS})
    tx.commit()


# Stats ------------------------------------------------------------------------------------------

JOURNEY_TOTAL = "~"  # the version's own counters sort after its steps'


def _stat_key(tenant_id: str, journey_id: str, version: int, step_id: str) -> dict[str, str]:
    return {"pk": _journey_pk(tenant_id, journey_id), "sk": f"STAT#{version:06d}#{step_id}"}


def count(tx: Transaction, enrollment: Enrollment, step_id: str, **counts: int) -> Transaction:
    """Add ``counts`` (entered, waiting, passed, exited; or for the version, ``step_id`` ~:
    enrolled, active, exited, converted) in the transaction of the move they describe."""
    changes = {name: value for name, value in counts.items() if value}
    if not changes:
        return tx
    names = {f"#c{number}": name for number, name in enumerate(changes)}
    values = {f":c{number}": value for number, value in enumerate(changes.values())}
    return tx.update(
        _stat_key(enrollment.tenant_id, enrollment.journey_id, enrollment.journey_version, step_id),
        "ADD " + ", ".join(f"#c{number} :c{number}" for number in range(len(changes))),
        names=names,
        values=values,
    )


def stats(tenant_id: str, journey_id: str, version: int) -> tuple[dict[str, int], list[StepStats]]:
    total: dict[str, int] = {}
    steps: list[StepStats] = []
    for item in partition_items(table(), _journey_pk(tenant_id, journey_id), f"STAT#{version:06d}#"):
        step_id = str(item["sk"]).split("#", 2)[2]
        numbers = {name: int(value) for name, value in item.items() if name not in ("pk", "sk")}
        if step_id == JOURNEY_TOTAL:
            total = numbers
        else:
            steps.append(StepStats(step_id=step_id, **numbers))
    return total, steps


# Enrollments -------------------------------------------------------------------------------------


def _enrollment_sk(journey_id: str, version: int) -> str:
    return f"J#{journey_id}#V#{version:06d}"


def enrollment_key(enrollment: Enrollment) -> dict[str, str]:
    return {
        "pk": _enroll_pk(enrollment.tenant_id, enrollment.contact_id),
        "sk": _enrollment_sk(enrollment.journey_id, enrollment.journey_version),
    }


def enrollment_item(enrollment: Enrollment) -> dict[str, Any]:
    item = {**enrollment_key(enrollment), **enrollment.model_dump(mode="json", exclude_none=True)}
    if enrollment.state == "waiting" and enrollment.due_at:
        item["gsi3pk"] = f"JDUE#{shard_of(enrollment.contact_id, DUE_SHARDS)}"
        item["gsi3sk"] = f"{enrollment.due_at}#{enrollment.tenant_id}#{enrollment.contact_id}#{enrollment.journey_id}"
    return item


def enter(
    tx: Transaction, enrollment: Enrollment, *, once: bool, again_before: str | None, year: int | None
) -> Transaction:
    """The contact's entry: its guard (once; or not again before ``again_before`` while not in
    the journey; or once per ``year``) and its enrollment in the version (a new run when it was
    in this version before and finished)."""
    pk = _enroll_pk(enrollment.tenant_id, enrollment.contact_id)
    refused = EntryRefused("The contact may not enter this journey now.")
    now = enrollment.entered_at
    if year is not None:
        tx.put(
            {"pk": pk, "sk": f"J#{enrollment.journey_id}#Y#{year}", "entered_at": now},
            condition="attribute_not_exists(pk)",
            on_fail=refused,
        )
    guard = {"pk": pk, "sk": f"J#{enrollment.journey_id}"}
    if once and year is None:
        tx.put(
            {**guard, "last_entered_at": now, "active": True, "runs": 1},
            condition="attribute_not_exists(pk)",
            on_fail=refused,
        )
    else:
        condition = "attribute_not_exists(pk) OR active = :no"
        values: dict[str, Any] = {":now": now, ":yes": True, ":one": 1, ":no": False}
        if again_before is not None:
            condition = "attribute_not_exists(pk) OR (active = :no AND last_entered_at <= :cutoff)"
            values[":cutoff"] = again_before
        tx.update(
            guard,
            "SET last_entered_at = :now, active = :yes ADD runs :one",
            condition=condition,
            values=values,
            on_fail=refused,
        )
    tx.put(
        enrollment_item(enrollment),
        condition="attribute_not_exists(pk) OR #s IN (:exited, :converted)",
        names={"#s": "state"},
        values={":exited": "exited", ":converted": "converted"},
        on_fail=refused,
    )
    return tx


def leave(tx: Transaction, enrollment: Enrollment) -> Transaction:
    """The contact is out of the journey: it may enter again when its re-entry rule allows."""
    return tx.update(
        {"pk": _enroll_pk(enrollment.tenant_id, enrollment.contact_id), "sk": f"J#{enrollment.journey_id}"},
        "SET active = :no",
        values={":no": False},
    )


def move(tx: Transaction, before: Enrollment, after: Enrollment) -> Transaction:
    """Write ``after`` if ``before`` is still where the enrollment stands (its run and seq)."""
    return tx.put(
        enrollment_item(after),
        condition="seq = :seq AND run = :run",
        values={":seq": before.seq, ":run": before.run},
        on_fail=StepTaken("The step was taken already."),
    )


def enrollments_of(tenant_id: str, contact_id: str) -> list[Enrollment]:
    """The contact's enrollments (all journeys and versions): a handful of items."""
    enrollments = Filter("attribute_exists(journey_version)", {}, {})
    found = partition_items(table(), _enroll_pk(tenant_id, contact_id), "J#", filter=enrollments)
    return [Enrollment.model_validate(item) for item in found]


def get_enrollment(tenant_id: str, contact_id: str, journey_id: str, version: int) -> Enrollment | None:
    item = get_item(table(), {"pk": _enroll_pk(tenant_id, contact_id), "sk": _enrollment_sk(journey_id, version)})
    return Enrollment.model_validate(item) if item else None


def due(until: str, most: int | None = None) -> Iterator[Enrollment]:
    """Every waiting enrollment due by ``until``, from the due index (the items themselves)."""
    for shard in range(DUE_SHARDS):
        for item in due_by(table(), "gsi3", f"JDUE#{shard}", until, None, most):
            yield Enrollment.model_validate({k: v for k, v in item.items() if not k.startswith(("pk", "sk", "gsi"))})


# Journey sends ----------------------------------------------------------------------------------


def send_key(enrollment: Enrollment, step_id: str) -> dict[str, str]:
    return {
        "pk": f"T#{enrollment.tenant_id}#JSEND#{enrollment.contact_id}",
        "sk": f"{enrollment.journey_id}#{enrollment.journey_version}#{enrollment.run}#{step_id}",
    }


def record_send(tx: Transaction, enrollment: Enrollment, step_id: str, record: Mapping[str, Any]) -> Transaction:
    item = {**send_key(enrollment, step_id), **{k: v for k, v in record.items() if v is not None}}
    return tx.put(item, condition="attribute_not_exists(pk)", on_fail=StepTaken("The send is recorded already."))


def set_send_state(enrollment: Enrollment, step_id: str, state: str, reason: str | None = None) -> None:
    tx = Transaction(table())
    values: dict[str, Any] = {":s": state}
    expression = "SET #state = :s"
    if reason:
        expression += ", reason = :r"
        values[":r"] = reason
    tx.update(send_key(enrollment, step_id), expression, names={"#state": "state"}, values=values)
    tx.commit()


def sends_of(tenant_id: str, contact_id: str) -> list[dict[str, Any]]:
    return list(partition_items(table(), f"T#{tenant_id}#JSEND#{contact_id}"))


def batch_enrollments(keys: Iterable[Mapping[str, str]]) -> list[Enrollment]:
    return [Enrollment.model_validate(item) for item in batch_get(table(), keys)]
