"""Staff ↔ customer relationships, moved by WeCom's change_external_contact callbacks.

Order-safe: each add or removal carries WeCom's CreateTime, and one is applied only when it is
newer than the last one applied to the pair (a removal also wins a tie with an add: the two
cannot both have happened in one second otherwise). So a removal delivered before its add leaves
the pair removed, and a redelivered or late callback changes nothing. Each applied change is one
conditional write (on the version it read) with its event and, for a removal, its deletion record.

``generation`` counts friendships: an add after a removal starts the next one. Churn alerts and
contacts' lifecycle key on it, so each friendship is announced added and removed at most once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from services.wecom.models import Relationship
from shared.clock import rfc3339
from shared.events.wecom import WeComContactAdded, WeComContactRemoved

ChangeKind = Literal["add", "half_add", "remove"]


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    corp_id: str
    staff_id: str
    external_userid: str
    at: int  # WeCom's CreateTime, epoch seconds
    removed_by: Literal["staff", "customer"] | None = None
    state: str | None = None
    reason: Literal["transfer"] | None = None  # a removal that hands the customer over
    details: dict[str, object] = field(default_factory=dict)  # name, unionid, remark, add_way from WeCom

    @property
    def moment(self) -> str:
        return rfc3339(datetime.fromtimestamp(self.at, UTC))


def newer(current: Relationship | None, change: Change) -> bool:
    """Whether the change happened after the last one applied to the pair."""
    if current is None:
        return True
    if change.kind == "remove":
        return current.changed_at < change.at or (current.changed_at == change.at and current.status != "removed")
    return current.changed_at < change.at


def transition(
    current: Relationship | None, change: Change
) -> tuple[Relationship, WeComContactAdded | WeComContactRemoved | None] | None:
    """The pair after the change and the event announcing it (None when nothing is announced);
    None when the change is stale or changes nothing."""
    if not newer(current, change):
        return None
    if change.kind == "remove":
        return _removed(current, change)
    return _added(current, change)


def _removed(current: Relationship | None, change: Change) -> tuple[Relationship, WeComContactRemoved | None] | None:
    generation = current.generation if current is not None else 1  # a removal before its add: the first
    if current is not None and current.status == "removed":
        # A newer removal of a pair already removed: the add between them (the next friendship)
        # has not arrived yet; it is this removal's friendship, and arrives stale.
        generation += 1
    base = current or Relationship(
        corp_id=change.corp_id,
        staff_id=change.staff_id,
        external_userid=change.external_userid,
        status="removed",
        generation=generation,
        changed_at=change.at,
    )
    after = base.model_copy(
        update={
            "status": "removed",
            "changed_at": change.at,
            "removed_at": change.moment,
            "removed_by": change.removed_by,
            "removed_reason": change.reason,
            "generation": generation,
        }
    )
    assert change.removed_by is not None
    event = WeComContactRemoved(
        corp_id=change.corp_id,
        staff_id=change.staff_id,
        external_userid=change.external_userid,
        generation=after.generation,
        removed_by=change.removed_by,
        removed_at=datetime.fromtimestamp(change.at, UTC),
        reason=change.reason,
    )
    return after, event


def _added(current: Relationship | None, change: Change) -> tuple[Relationship, WeComContactAdded | None]:
    half = change.kind == "half_add"
    details = {key: value for key, value in change.details.items() if value is not None}
    if current is None or current.status == "removed":
        generation = 1 if current is None else current.generation + 1
        base = current or Relationship(
            corp_id=change.corp_id,
            staff_id=change.staff_id,
            external_userid=change.external_userid,
            status="pending",
            generation=generation,
            changed_at=change.at,
        )
        after = base.model_copy(
            update={
                **details,
                "status": "pending" if half else "active",
                "generation": generation,
                "changed_at": change.at,
                "state": change.state,
                "added_at": change.moment,
                "removed_at": None,
                "removed_by": None,
                "removed_reason": None,
            }
        )
        return after, _added_event(after, change, half)
    if current.status == "pending" and not half:  # the staff member accepted the customer
        after = current.model_copy(update={**details, "status": "active", "changed_at": change.at})
        return after, _added_event(after, change, half=False)
    # Already friends: a newer add refreshes what WeCom says of the pair, announcing nothing.
    return current.model_copy(update={**details, "changed_at": change.at}), None


def _added_event(after: Relationship, change: Change, half: bool) -> WeComContactAdded:
    return WeComContactAdded(
        corp_id=after.corp_id,
        staff_id=after.staff_id,
        external_userid=after.external_userid,
        generation=after.generation,
        unionid=after.unionid,
        name=after.name,
        state=after.state,
        add_way=after.add_way,
        half=half,
        added_at=datetime.fromtimestamp(change.at, UTC),
        reason=change.reason,
    )
