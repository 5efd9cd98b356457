"""The only code that touches the cases table's cases, their threads and history, and sources.

Item layout (pk / sk):
- case       T#{t}#CASE#{id} / CASE           gsi1: T#{t}#CASES / id (every case, newest first)
                                              gsi2: T#{t}#CONTACT#{c}#CASES / id (a contact's cases:
                                                    theirs in the H5, staff's by contact)
                                              gsi3: T#{t}#AGENT#{staff}#CASES / id (while assigned)
                                              gsi4: T#{t}#QUEUE#{q}#WAITING / id (open, unassigned)
                                              gsi5: SLA#{shard} / {due}#{t}#{id} (next SLA due
                                                    or, once resolved, auto-close time)
- by contact T#{t}#CONTACT#{c} / CASE#{id}    the contact's case index (``_index_contact``)
- by sender  T#{t}#CHANNEL#{app}#{openid} / CASE#{id}   the WeChat sender's case index, with each
                                              case's status (``_index_sender``)
- message    T#{t}#CASE#{id} / MSG#{message_id}  (+ send_attempt: the channel gateway's last claim)
- history    T#{t}#CASE#{id} / HIST#{write_id}#{nn}  (one write's lines in their order)
- source     T#{t}#SOURCE#{key} / SOURCE      one case per partner request or channel message

A case, its thread and its history share a partition: one query reads the whole record.

Every change to a case goes through ``commit``: the case over the version it was read at, its new
messages and history lines, its entry in the contact's case index, the agents' counters it moves
(written by ``dal.routing``, their owner), its events and the caller's extra items (idempotency
keys, source markers, inbox markers) in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import BaseModel

from services.cases.dal import routing
from services.cases.dal.routing import AgentChange
from services.cases.dal.table import case_pk, contact_pk, sender_pk, table, whole_partition
from services.cases.models import Case, CaseFilters, CaseRecord, HistoryLine, Message
from shared import dynamo, ids
from shared.dynamo import Filter, Prepare, Transaction
from shared.errors import ConcurrentUpdate, DomainError
from shared.events.cases import ChannelAddress
from shared.outbox import publish_with


def agent_lane(tenant_id: str, staff_id: str) -> str:
    return f"T#{tenant_id}#AGENT#{staff_id}#CASES"


def waiting_lane(tenant_id: str, queue_id: str) -> str:
    return f"T#{tenant_id}#QUEUE#{queue_id}#WAITING"


def member_lane(tenant_id: str, contact_id: str) -> str:
    return f"T#{tenant_id}#CONTACT#{contact_id}#CASES"


def _contact_case_key(tenant_id: str, contact_id: str, case_id: str) -> dict[str, str]:
    return {"pk": contact_pk(tenant_id, contact_id), "sk": f"CASE#{case_id}"}


def _sender_case_key(tenant_id: str, channel: ChannelAddress, case_id: str) -> dict[str, str]:
    return {"pk": sender_pk(tenant_id, channel), "sk": f"CASE#{case_id}"}


def case_item(case: Case) -> dict[str, Any]:
    t = case.tenant_id
    item: dict[str, Any] = {
        "pk": case_pk(t, case.case_id),
        "sk": "CASE",
        "kind": "case",
        **case.model_dump(mode="json"),
        "gsi1pk": f"T#{t}#CASES",
        "gsi1sk": case.case_id,
    }
    if case.contact_id:
        item |= {"gsi2pk": member_lane(t, case.contact_id), "gsi2sk": case.case_id}
    if case.assignee:
        item |= {"gsi3pk": agent_lane(t, case.assignee), "gsi3sk": case.case_id}
    elif case.is_open and case.queue_id:
        item |= {"gsi4pk": waiting_lane(t, case.queue_id), "gsi4sk": case.case_id}
    due = min(case.sla_pending().values(), default=None)
    if case.status == "resolved":
        due = case.close_due_at
    if due:
        item |= {"gsi5pk": sla_shard(case.case_id), "gsi5sk": f"{due}#{t}#{case.case_id}"}
    return item


SLA_SHARDS = 8


def sla_shard(case_id: str) -> str:
    """Cases due for an SLA check spread over a few partitions, so no one key runs hot."""
    return f"SLA#{dynamo.shard_of(case_id, SLA_SHARDS)}"


def _case(item: dict[str, Any]) -> Case:
    return Case.model_validate({key: value for key, value in item.items() if key in Case.model_fields})


# ---- reads ---------------------------------------------------------------------------------


def get_case(tenant_id: str, case_id: str) -> Case | None:
    item = dynamo.get_item(table(), {"pk": case_pk(tenant_id, case_id), "sk": "CASE"})
    return _case(item) if item else None


def get_record(tenant_id: str, case_id: str) -> CaseRecord | None:
    """The case with its thread and history, in one query."""
    items = whole_partition(case_pk(tenant_id, case_id))
    head = next((item for item in items if item["sk"] == "CASE"), None)
    if head is None:
        return None
    return CaseRecord(
        case=_case(head),
        messages=[Message.model_validate(item) for item in items if item["sk"].startswith("MSG#")],
        history=[HistoryLine.model_validate(item) for item in items if item["sk"].startswith("HIST#")],
    )


def _filter(filters: CaseFilters, *, assignee: bool = False) -> Filter | None:
    """The filters the lane read does not already apply (``assignee``: the lane is not the
    assignee's, so it is filtered too)."""
    candidates = [("status", filters.status), ("queue_id", filters.queue_id), ("priority", filters.priority)]
    if assignee:
        candidates.append(("assignee", filters.assignee))
    wanted = {name: value for name, value in candidates if value is not None}
    clauses = [f"#{name} = :{name}" for name in wanted]
    names = {f"#{name}": name for name in wanted}
    values: dict[str, Any] = {f":{name}": value for name, value in wanted.items()}
    if filters.breached is not None:
        names["#breached"] = "breached"
        values[":zero"] = 0
        clauses.append("size(#breached) > :zero" if filters.breached else "size(#breached) = :zero")
    return Filter(" AND ".join(clauses), names, values) if clauses else None


def _lane_page(
    index: str,
    partition: str,
    limit: int,
    cursor: str | None = None,
    *,
    newest_first: bool = True,
    filter: Filter | None = None,
) -> tuple[list[Case], str | None]:
    """One page of cases from one of the case indexes (gsiN / gsiNpk)."""
    page = dynamo.query_page(
        table(),
        index=index,
        partition_attr=f"{index}pk",
        partition_value=partition,
        limit=limit,
        cursor=cursor,
        newest_first=newest_first,
        filter=filter,
    )
    return [_case(item) for item in page.items], page.next_cursor


def list_cases(tenant_id: str, filters: CaseFilters, limit: int, cursor: str | None) -> tuple[list[Case], str | None]:
    """Newest first. A contact's cases come from their lane (the one members list theirs from),
    else an assignee's from theirs; other filters drop items from the page read (a page may hold
    fewer than ``limit`` items and still have a next cursor)."""
    if filters.contact_id:
        lane = "gsi2", member_lane(tenant_id, filters.contact_id)
    elif filters.assignee:
        lane = "gsi3", agent_lane(tenant_id, filters.assignee)
    else:
        lane = "gsi1", f"T#{tenant_id}#CASES"
    return _lane_page(*lane, limit, cursor, filter=_filter(filters, assignee=lane[0] != "gsi3"))


def cases_since(tenant_id: str, since_epoch: float) -> list[Case]:
    """Every case opened since then (ids sort by creation time)."""
    request = {
        "TableName": table(),
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :p AND gsi1sk >= :from",
        "ExpressionAttributeValues": dynamo.serialize(
            {":p": f"T#{tenant_id}#CASES", ":from": f"case_{ids.time_prefix(since_epoch)}"}
        ),
    }
    return [_case(item) for item in dynamo.query_pages(request)]


def member_cases(tenant_id: str, contact_id: str, limit: int, cursor: str | None) -> tuple[list[Case], str | None]:
    return _lane_page("gsi2", member_lane(tenant_id, contact_id), limit, cursor)


def _whole_lane(index: str, partition: str) -> list[Case]:
    request = {
        "TableName": table(),
        "IndexName": index,
        "KeyConditionExpression": f"{index}pk = :p",
        "ExpressionAttributeValues": dynamo.serialize({":p": partition}),
    }
    return [_case(item) for item in dynamo.query_pages(request)]


def all_agent_cases(tenant_id: str, staff_id: str) -> list[Case]:
    """Every case assigned to the agent (any status)."""
    return _whole_lane("gsi3", agent_lane(tenant_id, staff_id))


def contact_case_ids(tenant_id: str, contact_id: str) -> list[str]:
    """Every case of the contact (any status), from its case index with a consistent read: a case
    committed before the call is found, which the contact's gsi2 lane does not promise."""
    return [
        str(case_id)
        for case_id in dynamo.consistent_values(table(), contact_pk(tenant_id, contact_id), "CASE#", "case_id")
    ]


def due_for_sla(shard: int, now: str, most: int) -> list[tuple[str, str]]:
    """(tenant, case id) of cases whose next SLA target (or auto-close) is due by ``now``,
    across tenants, earliest first, at most ``most`` of them."""
    found = dynamo.due_by(table(), "gsi5", f"SLA#{shard}", now, ("tenant_id", "case_id"), most)
    return [(item["tenant_id"], item["case_id"]) for item in found]


LIVE_CASE_LOOKS = 10


def live_case_on_channel(tenant_id: str, channel: ChannelAddress) -> Case | None:
    """The sender's most recent case that is not closed (open, or resolved and so reopened by a
    new message), if any, whatever contact it is for; their latest few are looked at. From the
    sender's case index, read consistently, then the case itself."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :case)",
        "ExpressionAttributeValues": dynamo.serialize({":p": sender_pk(tenant_id, channel), ":case": "CASE#"}),
        "ScanIndexForward": False,
        "ConsistentRead": True,
    }
    latest = dynamo.query_pages(request, LIVE_CASE_LOOKS)
    live = next((item["case_id"] for item in latest if item.get("status") != "closed"), None)
    return get_case(tenant_id, live) if live else None


def sender_case_ids(tenant_id: str, channel: ChannelAddress) -> list[str]:
    """Every case of the WeChat sender (any status, any contact), read consistently: a case
    committed before the call is found."""
    return [
        str(case_id) for case_id in dynamo.consistent_values(table(), sender_pk(tenant_id, channel), "CASE#", "case_id")
    ]


def waiting_cases(tenant_id: str, queue_id: str, limit: int) -> list[Case]:
    """The queue's unassigned open cases, oldest first: the order they are handed out in."""
    return _lane_page("gsi4", waiting_lane(tenant_id, queue_id), limit, newest_first=False)[0]


# ---- writes --------------------------------------------------------------------------------


@dataclass
class CaseWrite:
    case: Case  # the state to store, its version already advanced
    messages: list[Message] = field(default_factory=list)
    history: list[HistoryLine] = field(default_factory=list)
    agents: list[AgentChange] = field(default_factory=list)
    events: list[BaseModel] = field(default_factory=list)
    prepares: list[Prepare] = field(default_factory=list)  # run first: their conditions win
    # The contact the case was read for (None for a new case): its index entry moves when it changes.
    contact_before: str | None = None
    # The channel and status the case was read with (None for a new case): its sender's index entry
    # follows them.
    channel_before: ChannelAddress | None = None
    status_before: str | None = None


def commit(write: CaseWrite) -> None:
    case = write.case
    tx = Transaction(table())
    for prepare in write.prepares:
        prepare(tx)
    moved = ConcurrentUpdate("The case changed meanwhile; read it again.")
    if case.version == 1:
        tx.create(case_item(case), on_fail=moved)
    else:
        tx.put(case_item(case), condition="version = :v", values={":v": case.version - 1}, on_fail=moved)
    pk = case_pk(case.tenant_id, case.case_id)
    for message in write.messages:
        tx.put({"pk": pk, "sk": f"MSG#{message.message_id}", "kind": "message", **message.model_dump(mode="json")})
    # One id per write and the line's place in it: lines of one write read back in their order.
    written = ids.new_id()
    for place, line in enumerate(write.history):
        sk = f"HIST#{written}#{place:02d}"
        tx.put({"pk": pk, "sk": sk, "kind": "history", **line.model_dump(mode="json")})
    _index_contact(tx, write)
    _index_sender(tx, write)
    routing.count_cases(tx, case.tenant_id, write.agents)
    publish_with(tx, case.tenant_id, *write.events)
    tx.commit()


def _index_contact(tx: Transaction, write: CaseWrite) -> None:
    """The contact's case index follows the case's contact: entered in the transaction that opens
    the case for a contact, moved in the one that moves it to another (a merge), kept through an
    erasure (the contact id stays). Unlike the gsi2 lane, it is read consistently
    (``contact_case_ids``): a merge finds every case committed before it. Every case has had its
    entry since the first deployment: there is nothing to backfill."""
    case = write.case
    if case.contact_id == write.contact_before:
        return
    if write.contact_before:
        tx.delete(_contact_case_key(case.tenant_id, write.contact_before, case.case_id))
    if case.contact_id:
        key = _contact_case_key(case.tenant_id, case.contact_id, case.case_id)
        tx.put({**key, "kind": "contact_case", "case_id": case.case_id})


def _index_sender(tx: Transaction, write: CaseWrite) -> None:
    """The WeChat sender's case index follows the case's channel and status: entered when a case
    with a channel is opened, rewritten when its status moves (the inbox skips closed cases without
    reading them), deleted when the channel is forgotten (an erasure). Read consistently by the
    inbox and by the link of a sender to a contact (``sender_case_ids``)."""
    case = write.case
    if write.channel_before is not None and write.channel_before != case.channel:
        tx.delete(_sender_case_key(case.tenant_id, write.channel_before, case.case_id))
    if case.channel is None:
        return
    if case.channel != write.channel_before or case.status != write.status_before:
        key = _sender_case_key(case.tenant_id, case.channel, case.case_id)
        tx.put({**key, "kind": "sender_case", "case_id": case.case_id, "status": case.status})


MESSAGES_PER_WRITE = 25


def rewrite_messages(tenant_id: str, case_id: str, messages: list[Message]) -> None:
    """Store messages as given (over what they were), a few per transaction."""
    pk = case_pk(tenant_id, case_id)
    for start in range(0, len(messages), MESSAGES_PER_WRITE):
        tx = Transaction(table())
        for message in messages[start : start + MESSAGES_PER_WRITE]:
            tx.put({"pk": pk, "sk": f"MSG#{message.message_id}", "kind": "message", **message.model_dump(mode="json")})
        tx.commit()


def claim_source(tenant_id: str, key: str, case_id: str, on_fail: DomainError) -> Prepare:
    """A marker that only one case comes of a given partner request or channel message."""

    def prepare(tx: Transaction) -> None:
        tx.put(
            {"pk": f"T#{tenant_id}#SOURCE#{key}", "sk": "SOURCE", "kind": "source", "case_id": case_id},
            condition="attribute_not_exists(pk)",
            on_fail=on_fail,
        )

    return prepare


class SendAttempt(NamedTuple):
    """The channel gateway's claim on a reply (``send_attempt`` on the message item): a fresh
    token per attempt, so that only the holder of the latest claim moves the delivery on, and the
    attempt's number since staff last asked for the reply to be sent."""

    token: str
    number: int


def _attempt_condition(attempt: SendAttempt | None, values: dict[str, Any]) -> str:
    if attempt is None:
        return "attribute_not_exists(send_attempt)"
    values[":token"] = attempt.token
    return "send_attempt.#token = :token"


def update_message_delivery(
    tenant_id: str,
    case_id: str,
    message: Message,
    expected: str,
    *events: BaseModel,
    attempt: SendAttempt | None = None,
    forget_attempts: bool = False,
) -> None:
    """Move an outbound message's delivery on, only from the state it was read in (and, given
    ``attempt``, only while that attempt still holds the reply). Only the delivery is written: the
    rest of the message may have changed meanwhile (an erasure). ``forget_attempts``: staff asked
    for the reply again, so the gateway's attempts count from one again."""
    assert message.delivery is not None
    names = {"#status": "status"}
    values: dict[str, Any] = {":expected": expected, ":delivery": message.delivery.model_dump(mode="json")}
    condition = "delivery.#status = :expected"
    if attempt is not None:
        names["#token"] = "token"
        condition += f" AND {_attempt_condition(attempt, values)}"
    tx = Transaction(table())
    tx.update(
        {"pk": case_pk(tenant_id, case_id), "sk": f"MSG#{message.message_id}"},
        "SET delivery = :delivery" + (" REMOVE send_attempt" if forget_attempts else ""),
        condition=condition,
        names=names,
        values=values,
        on_fail=ConcurrentUpdate("The message's delivery moved meanwhile."),
    )
    publish_with(tx, tenant_id, *events)
    tx.commit()


def claim_delivery(
    tenant_id: str,
    case_id: str,
    message: Message,
    expected: str,
    previous: SendAttempt | None,
    attempt: SendAttempt,
) -> None:
    """Take a reply for sending: its delivery (now ``sending``) and the new attempt, written only
    if the delivery is still ``expected`` and the last attempt is still ``previous``. Of two
    deliveries of one request (or a redelivery racing a slow first attempt) one wins; the other
    gets ConcurrentUpdate."""
    assert message.delivery is not None
    names = {"#status": "status"}
    values: dict[str, Any] = {
        ":expected": expected,
        ":delivery": message.delivery.model_dump(mode="json"),
        ":attempt": attempt._asdict(),
    }
    if previous is not None:
        names["#token"] = "token"
    Transaction(table()).update(
        {"pk": case_pk(tenant_id, case_id), "sk": f"MSG#{message.message_id}"},
        "SET delivery = :delivery, send_attempt = :attempt",
        condition=f"delivery.#status = :expected AND {_attempt_condition(previous, values)}",
        names=names,
        values=values,
        on_fail=ConcurrentUpdate("The reply was taken meanwhile."),
    ).commit()


def get_outbound(tenant_id: str, case_id: str, message_id: str) -> tuple[Message, SendAttempt | None] | None:
    """A message and the gateway's last attempt at sending it (None before the first)."""
    item = dynamo.get_item(table(), {"pk": case_pk(tenant_id, case_id), "sk": f"MSG#{message_id}"})
    if item is None:
        return None
    attempt = item.get("send_attempt")
    return Message.model_validate(item), (
        SendAttempt(str(attempt["token"]), int(attempt["number"])) if isinstance(attempt, dict) else None
    )


def get_message(tenant_id: str, case_id: str, message_id: str) -> Message | None:
    item = dynamo.get_item(table(), {"pk": case_pk(tenant_id, case_id), "sk": f"MSG#{message_id}"})
    return Message.model_validate(item) if item else None
