"""``make replay FROM=<RFC 3339> TO=<RFC 3339> [TYPES=A,B]``: events of a time window again, from the archive.

An EventBridge replay sends the archived events of the window back to the bus's rules; every
consumer is idempotent (it records each event id with its effect), so an event it had applied
changes nothing and one it had missed is applied now.

EventBridge cannot replay by detail-type: a replay chooses *rules* (``Destination.FilterArns``).
With ``TYPES`` the replay goes only to the rules whose pattern can match one of those types: the
consumers of those types. Such a rule also subscribed to other types receives those of the
window again too, which changes nothing for the same reason. The alternative, re-putting events
read out of the archive, is not possible: an archive cannot be read, only replayed.

Consumers remember the events they applied for ``INBOX_RETENTION_SECONDS`` (30 days), while the
archive keeps events longer (90 days in prod): a window starting before what consumers remember
(less a day's margin) is refused, as its events could be applied twice.

Events reach the archive a few minutes after they are put: a window that ends "now" may miss the
last ones. A replay's events carry ``replay-name`` and are not archived again.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from ops import cli
from ops.target import OpsError, Target
from shared import aws
from shared.consumer import INBOX_RETENTION_SECONDS

FINISHED = ("COMPLETED", "CANCELLED", "FAILED")
# How far back a replay may start: what every consumer still remembers having applied, less a margin.
REPLAYABLE = timedelta(seconds=INBOX_RETENTION_SECONDS) - timedelta(days=1)
POLL_SECONDS = 2.0


def instant(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise OpsError(f"{name}={text!r} is not an RFC 3339 time (e.g. 2026-03-01T08:00:00Z)") from None
    if moment.tzinfo is None:
        raise OpsError(f"{name}={text!r} has no time zone: add Z or +08:00")
    return moment


def known_types() -> set[str]:
    from shared.events.catalog import all_contracts

    return {contract.detail_type for contract in all_contracts()}


def may_match(pattern: dict[str, Any], types: set[str]) -> bool:
    """Whether a rule's pattern can match an event of one of ``types`` (by its detail-type alone:
    anything it cannot rule out, a prefix or a negation, counts as a match)."""
    wanted = pattern.get("detail-type")
    if wanted is None:
        return True
    if not isinstance(wanted, list):
        return True
    return any(not isinstance(value, str) or value in types for value in wanted)


def rules_for(target: Target, types: set[str]) -> list[tuple[str, str]]:
    """(name, ARN) of every rule on the bus that subscribes to one of ``types``."""
    events = aws.client("events")
    chosen = []
    for page in events.get_paginator("list_rules").paginate(EventBusName=target.bus_name):
        for rule in page["Rules"]:
            if rule.get("ManagedBy") or not rule.get("EventPattern"):
                continue  # the archive's own rule, rules of other AWS services
            if may_match(json.loads(rule["EventPattern"]), types):
                chosen.append((rule["Name"], rule["Arn"]))
    return chosen


def replay_name(stage: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"siyu-{stage}-{stamp}-{secrets.token_hex(3)}"  # [.-_A-Za-z0-9], at most 64


def wait(name: str, timeout_seconds: float) -> dict[str, Any]:
    events = aws.client("events")
    deadline = time.monotonic() + timeout_seconds
    while True:
        state = events.describe_replay(ReplayName=name)
        if state["State"] in FINISHED or time.monotonic() > deadline:
            return dict(state)
        time.sleep(POLL_SECONDS)


def main() -> int:
    parser = cli.parser("Replay the archived events of a time window to the bus's rules.")
    parser.add_argument("--from", dest="start", required=True, help="RFC 3339, e.g. 2026-03-01T08:00:00Z")
    parser.add_argument("--to", dest="end", required=True, help="RFC 3339")
    parser.add_argument("--types", default="", help="detail-types, comma-separated (default: every type)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the replay to finish")
    args = parser.parse_args()
    start, end = instant(args.start, "FROM"), instant(args.end, "TO")
    if start >= end:
        raise OpsError("FROM must be before TO")
    if start > datetime.now(UTC):
        raise OpsError("FROM is in the future: nothing is archived yet")
    types = {t.strip() for t in args.types.split(",") if t.strip()}
    if unknown := types - known_types():
        raise OpsError(f"unknown detail-types {sorted(unknown)}; known: {sorted(known_types())}")
    if start < datetime.now(UTC) - REPLAYABLE:
        raise OpsError(
            f"FROM is more than {REPLAYABLE.days} days ago: consumers no longer remember every event they "
            "applied that long ago, so a replay could apply some twice"
        )
    target = cli.target_of(args)
    destination: dict[str, Any] = {"Arn": target.bus_arn()}
    if types:
        rules = rules_for(target, types)
        if not rules:
            raise OpsError(f"no rule on {target.bus_name} subscribes to {sorted(types)}: nothing to replay to")
        destination["FilterArns"] = [arn for _, arn in rules]
        print(f"replaying {sorted(types)} to the rules {', '.join(name for name, _ in rules)}")
    name = replay_name(target.stage)
    aws.client("events").start_replay(
        ReplayName=name,
        Description=f"make replay {args.start}..{args.end} {','.join(sorted(types)) or 'all types'}",
        EventSourceArn=target.archive_arn(),
        EventStartTime=start,
        EventEndTime=end,
        Destination=destination,
    )
    print(f"replay {name} started: {start.isoformat()} .. {end.isoformat()}")
    state = wait(name, args.timeout)
    print(f"replay {name}: {state['State']} {state.get('StateReason', '')}".rstrip())
    if state["State"] not in FINISHED:
        print(f"still running after {args.timeout:g}s: aws events describe-replay --replay-name {name}")
        return 1
    return 0 if state["State"] == "COMPLETED" else 1


if __name__ == "__main__":
    cli.run(main)
