"""Customer groups, their members and the daily join/leave counters in the wecom table.

- group    T#{t}#GROUP#{chat_id} / GROUP
           gsi1 T#{t}#GROUPS / {created_at}#{chat_id}                 (every group of the tenant)
           gsi2 T#{t}#GROUPS#OWNER#{owner} / {created_at}#{chat_id}   (a staff member's groups)
- member   T#{t}#GROUP#{chat_id} / MEMBER#{userid}   kept after leaving (its times order late callbacks)
           gsi3 T#{t}#GROUP#{chat_id}#IN / {userid}   only while in the group (sparse: the member list)
- counter  T#{t}#GACT#ALL | T#{t}#GACT#OWNER#{owner} | T#{t}#GACT#CHAT#{chat_id} / DAY#{yyyy-mm-dd}
           joins, leaves: ADDed in the transaction that records the members' change

A group's details are written on the version read; member changes are conditional on each
member's version and ADD to the group's ``member_count`` without touching its version, so a
details refresh and a member diff never undo each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from services.wecom.dal.table import table
from services.wecom.group_models import Group, GroupMember
from shared import dynamo
from shared.dynamo import Prepare, Transaction
from shared.errors import ConcurrentUpdate
from shared.outbox import publish_with


def _pk(tenant_id: str, chat_id: str) -> str:
    return f"T#{tenant_id}#GROUP#{chat_id}"


def _group_key(tenant_id: str, chat_id: str) -> dict[str, str]:
    return {"pk": _pk(tenant_id, chat_id), "sk": "GROUP"}


def _member_key(tenant_id: str, chat_id: str, userid: str) -> dict[str, str]:
    return {"pk": _pk(tenant_id, chat_id), "sk": f"MEMBER#{userid}"}


def _owner_pk(tenant_id: str, owner: str) -> str:
    return f"T#{tenant_id}#GROUPS#OWNER#{owner}"


def _group(item: dict[str, Any]) -> Group:
    return Group.model_validate({key: item[key] for key in Group.model_fields if key in item})


def _member(item: dict[str, Any]) -> GroupMember:
    return GroupMember.model_validate({key: item[key] for key in GroupMember.model_fields if key in item})


def get(tenant_id: str, chat_id: str) -> Group | None:
    item = dynamo.get_item(table(), _group_key(tenant_id, chat_id))
    return _group(item) if item else None


def save(tenant_id: str, group: Group, *, expected_version: int | None, prepares: tuple[Prepare, ...] = ()) -> Group:
    """Write the group's details as decided from the version read (None: it did not exist);
    ConcurrentUpdate when it moved meanwhile. ``member_count`` is left to the member changes."""
    saved = group.model_copy(update={"version": (expected_version or 0) + 1})
    fields = saved.model_dump(exclude={"member_count"})
    names = {f"#{name}": name for name in fields}
    values: dict[str, Any] = {f":{name}": value for name, value in fields.items() if value is not None}
    sets = [f"#{name} = :{name}" for name, value in fields.items() if value is not None]
    removes = [f"#{name}" for name, value in fields.items() if value is None]
    sort_key = f"{saved.created_at or ''}#{saved.chat_id}"
    names |= {"#kind": "kind", "#count": "member_count", "#g1p": "gsi1pk", "#g1s": "gsi1sk", "#g2s": "gsi2sk"}
    values |= {":kind": "group", ":zero": 0, ":g1p": f"T#{tenant_id}#GROUPS", ":sort": sort_key}
    sets += ["#kind = :kind", "#count = if_not_exists(#count, :zero)", "#g1p = :g1p", "#g1s = :sort"]
    names["#g2p"] = "gsi2pk"
    if saved.owner:
        values[":g2p"] = _owner_pk(tenant_id, saved.owner)
        sets += ["#g2p = :g2p", "#g2s = :sort"]
    else:
        removes += ["#g2p", "#g2s"]
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    if expected_version is None:
        condition = "attribute_not_exists(pk)"
    else:
        condition = "#version = :expected"
        values[":expected"] = expected_version
    tx = Transaction(table())
    tx.update(
        _group_key(tenant_id, saved.chat_id),
        expression,
        condition=condition,
        names=names,
        values=values,
        on_fail=ConcurrentUpdate("the group moved"),
    )
    for prepare in prepares:
        prepare(tx)
    tx.commit()
    return saved


def members(tenant_id: str, chat_id: str, userids: Iterable[str]) -> dict[str, GroupMember]:
    """The stored members among ``userids`` (left ones included), by userid; read consistently."""
    keys = [_member_key(tenant_id, chat_id, userid) for userid in dict.fromkeys(userids)]
    return {found.userid: found for found in map(_member, dynamo.batch_get(table(), keys))}


def every_member(tenant_id: str, chat_id: str) -> list[GroupMember]:
    """Every member ever recorded in the group (left ones included), read consistently."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": dynamo.serialize({":p": _pk(tenant_id, chat_id), ":s": "MEMBER#"}),
        "ConsistentRead": True,
    }
    return [_member(item) for item in dynamo.query_pages(request)]


@dataclass(frozen=True)
class MemberWrite:
    after: GroupMember
    expected_version: int | None  # None: the member was not recorded


@dataclass(frozen=True)
class DayTally:
    day: date
    owner: str | None
    joins: int
    leaves: int


def _member_item(tenant_id: str, member: GroupMember) -> dict[str, Any]:
    item: dict[str, Any] = {
        **_member_key(tenant_id, member.chat_id, member.userid),
        "kind": "group_member",
        **member.model_dump(exclude_none=True),
    }
    if member.status == "in":
        item["gsi3pk"] = f"{_pk(tenant_id, member.chat_id)}#IN"
        item["gsi3sk"] = member.userid
    return item


def _count(tx: Transaction, tenant_id: str, scope: str, tally: DayTally) -> None:
    added = {name: value for name, value in (("joins", tally.joins), ("leaves", tally.leaves)) if value}
    if not added:
        return
    tx.update(
        {"pk": f"T#{tenant_id}#GACT#{scope}", "sk": f"DAY#{tally.day.isoformat()}"},
        "SET #kind = :kind ADD " + ", ".join(f"#{name} :{name}" for name in added),
        names={"#kind": "kind"} | {f"#{name}": name for name in added},
        values={":kind": "group_activity"} | {f":{name}": value for name, value in added.items()},
    )


def save_members(
    tenant_id: str,
    chat_id: str,
    writes: list[MemberWrite],
    *,
    member_delta: int,
    tallies: list[DayTally],
    events: tuple[BaseModel, ...] = (),
    prepares: tuple[Prepare, ...] = (),
) -> None:
    """Members' changes in one transaction: each on the version read (ConcurrentUpdate when one
    moved), the group's member count, the day counters (tenant, owner, group) and the events."""
    tx = Transaction(table())
    for write in writes:
        item = _member_item(tenant_id, write.after.model_copy(update={"version": (write.expected_version or 0) + 1}))
        if write.expected_version is None:
            tx.put(item, condition="attribute_not_exists(pk)", on_fail=ConcurrentUpdate("a member moved"))
        else:
            tx.put(
                item,
                condition="version = :v",
                values={":v": write.expected_version},
                on_fail=ConcurrentUpdate("a member moved"),
            )
    if member_delta:
        tx.update(
            _group_key(tenant_id, chat_id),
            "ADD member_count :d",
            condition="attribute_exists(pk)",
            values={":d": member_delta},
            on_fail=ConcurrentUpdate("the group is not there"),
        )
    for tally in tallies:
        _count(tx, tenant_id, "ALL", tally)
        _count(tx, tenant_id, f"CHAT#{chat_id}", tally)
        if tally.owner:
            _count(tx, tenant_id, f"OWNER#{tally.owner}", tally)
    publish_with(tx, tenant_id, *events)
    for prepare in prepares:
        prepare(tx)
    tx.commit()


def groups(tenant_id: str, owner: str | None, limit: int, cursor: str | None) -> tuple[list[Group], str | None]:
    """The tenant's groups (or ``owner``'s), newest first."""
    index, attribute, partition = (
        ("gsi2", "gsi2pk", _owner_pk(tenant_id, owner)) if owner else ("gsi1", "gsi1pk", f"T#{tenant_id}#GROUPS")
    )
    page = dynamo.query_page(
        table(),
        index=index,
        partition_attr=attribute,
        partition_value=partition,
        limit=limit,
        cursor=cursor,
        newest_first=True,
    )
    return [_group(item) for item in page.items], page.next_cursor


def current_members(
    tenant_id: str, chat_id: str, limit: int, cursor: str | None
) -> tuple[list[GroupMember], str | None]:
    page = dynamo.query_page(
        table(),
        index="gsi3",
        partition_attr="gsi3pk",
        partition_value=f"{_pk(tenant_id, chat_id)}#IN",
        limit=limit,
        cursor=cursor,
    )
    return [_member(item) for item in page.items], page.next_cursor


def activity(tenant_id: str, scope: str, first: date, last: date) -> dict[date, tuple[int, int]]:
    """(joins, leaves) of each counted day from ``first`` to ``last`` of a scope (ALL,
    OWNER#{owner}, CHAT#{chat_id}); days with nothing counted are absent. One Query."""
    request = {
        "TableName": table(),
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :low AND :high",
        "ExpressionAttributeValues": dynamo.serialize(
            {
                ":p": f"T#{tenant_id}#GACT#{scope}",
                ":low": f"DAY#{first.isoformat()}",
                ":high": f"DAY#{last.isoformat()}",
            }
        ),
    }
    return {
        date.fromisoformat(str(item["sk"])[4:]): (int(item.get("joins", 0)), int(item.get("leaves", 0)))
        for item in dynamo.query_pages(request)
    }


def close(prepare: Prepare) -> None:
    """Write a caller's closing item (the consumer's marker) alone: the change it closes wrote nothing."""
    tx = Transaction(table())
    prepare(tx)
    tx.commit()
