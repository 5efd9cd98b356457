"""群接龙 sign-up sheets in the wecom table: one item per sheet, holding its entries.

- sheet    T#{t}#SIGNUP#{sheet_id} / SHEET
           gsi1 T#{t}#SIGNUPS#CHAT#{chat_id} / {created_at}#{sheet_id}   (a group's sheets)
           gsi2 T#{t}#SIGNUPS / {created_at}#{sheet_id}                  (every sheet of the tenant)
           ``holders`` {contact_id: number} and ``joined`` {contact_id: joined_at}: the entries (a
           sheet holds at most 1000, some 60 KB); ``next_number`` the lowest number never handed
           out; ``free`` (a number set) the numbers withdrawals gave back; ``taken``.

Every invariant is a condition of the one conditional write that records a join or a withdrawal
(no transaction, no read before it): a join takes ``next_number`` itself (the write copies it into
the member's entry and adds one) on the condition that no number is free and it is not above the
capacity, or — when withdrawals gave numbers back — the lowest free one on the condition that it
is still free; and always on the conditions that the member holds no place and the deadline
(``deadline_time``) has not passed. So numbers are unique, never above capacity and, once the
next member joins, gap-free, whatever the concurrency; concurrent joiners of a sheet with no free
number never refuse one another. A refused write answers the sheet as it stood, for the caller to
tell why (full, closed, already joined, a number given back meanwhile).
"""

from __future__ import annotations

from typing import Any

from services.wecom.dal.table import table
from services.wecom.group_models import SignupEntry, SignupSheet
from shared import dynamo
from shared.dynamo import Transaction
from shared.errors import Conflict

SHEET_ATTRIBUTES = tuple(SignupSheet.model_fields)  # a listing leaves the entries out
Stored = tuple[SignupSheet, list[SignupEntry]]


class Refused(Exception):
    """A join or withdrawal's conditions did not hold: the sheet as it stood (None: no such sheet)."""

    def __init__(self, stood: Stored | None) -> None:
        super().__init__("refused")
        self.stood = stood


def _key(tenant_id: str, sheet_id: str) -> dict[str, str]:
    return {"pk": f"T#{tenant_id}#SIGNUP#{sheet_id}", "sk": "SHEET"}


def _stored(item: dict[str, Any]) -> Stored:
    sheet = SignupSheet.model_validate({key: item[key] for key in SignupSheet.model_fields if key in item})
    holders: dict[str, int] = item.get("holders") or {}
    joined: dict[str, str] = item.get("joined") or {}
    entries = [
        SignupEntry(sheet_id=sheet.sheet_id, number=number, contact_id=contact, joined_at=joined.get(contact, ""))
        for contact, number in sorted(holders.items(), key=lambda held: held[1])
    ]
    return sheet, entries


def create(sheet: SignupSheet) -> None:
    sort_key = f"{sheet.created_at}#{sheet.sheet_id}"
    tx = Transaction(table())
    tx.create(
        {
            **_key(sheet.tenant_id, sheet.sheet_id),
            "kind": "signup_sheet",
            **sheet.model_dump(exclude={"free"}),
            "holders": {},
            "joined": {},
            "gsi1pk": f"T#{sheet.tenant_id}#SIGNUPS#CHAT#{sheet.chat_id}",
            "gsi1sk": sort_key,
            "gsi2pk": f"T#{sheet.tenant_id}#SIGNUPS",
            "gsi2sk": sort_key,
        },
        on_fail=Conflict("A sheet with this id exists."),
    )
    tx.commit()


def read(tenant_id: str, sheet_id: str) -> Stored | None:
    """The sheet and its entries in number order, read consistently."""
    item = dynamo.get_item(table(), _key(tenant_id, sheet_id))
    return _stored(item) if item else None


def _write(
    tenant_id: str, sheet_id: str, expression: str, condition: str, names: dict[str, str], values: dict[str, Any]
) -> Stored:
    """One conditional write of the sheet: the sheet after it; Refused with the sheet as it stood."""
    from botocore.exceptions import ClientError

    try:
        answer = dynamo.client().update_item(
            TableName=table(),
            Key=dynamo.serialize(_key(tenant_id, sheet_id)),
            UpdateExpression=expression,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=dynamo.serialize(values),
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        stood: Any = error.response.get("Item")
        raise Refused(_stored(dynamo.deserialize(stood)) if stood else None) from None
    return _stored(dynamo.deserialize(answer["Attributes"]))


def join(tenant_id: str, sheet_id: str, contact_id: str, joined_at: str, now: int, free: int | None) -> Stored:
    """Give the member a place: the next number, or ``free`` (a number a withdrawal gave back)."""
    names = {
        "#holders": "holders",
        "#joined": "joined",
        "#taken": "taken",
        "#capacity": "capacity",
        "#deadline": "deadline_time",
        "#free": "free",
        "#c": contact_id,
    }
    values: dict[str, Any] = {":one": 1, ":now": now, ":at": joined_at}
    held = "attribute_not_exists(#holders.#c) AND #deadline > :now"
    if free is None:
        names["#next"] = "next_number"
        expression = "SET #holders.#c = #next, #joined.#c = :at, #next = #next + :one ADD #taken :one"
        condition = f"{held} AND attribute_not_exists(#free) AND #next <= #capacity"
    else:
        expression = "SET #holders.#c = :n, #joined.#c = :at DELETE #free :numbers ADD #taken :one"
        condition = f"{held} AND contains(#free, :n) AND #taken < #capacity"
        values |= {":n": free, ":numbers": {free}}
    return _write(tenant_id, sheet_id, expression, condition, names, values)


def withdraw(tenant_id: str, sheet_id: str, contact_id: str, number: int, now: int) -> Stored:
    """Give the member's number back to the sheet (the next joiner takes the lowest free one)."""
    return _write(
        tenant_id,
        sheet_id,
        "REMOVE #holders.#c, #joined.#c ADD #free :numbers, #taken :minus",
        "#holders.#c = :n AND #deadline > :now",
        {
            "#holders": "holders",
            "#joined": "joined",
            "#free": "free",
            "#taken": "taken",
            "#deadline": "deadline_time",
            "#c": contact_id,
        },
        {":numbers": {number}, ":minus": -1, ":n": number, ":now": now},
    )


def sheets(tenant_id: str, chat_id: str | None, limit: int, cursor: str | None) -> tuple[list[SignupSheet], str | None]:
    """A group's sheets (or the tenant's), newest first."""
    index, attribute, partition = (
        ("gsi1", "gsi1pk", f"T#{tenant_id}#SIGNUPS#CHAT#{chat_id}")
        if chat_id
        else ("gsi2", "gsi2pk", f"T#{tenant_id}#SIGNUPS")
    )
    page = dynamo.query_page(
        table(),
        index=index,
        partition_attr=attribute,
        partition_value=partition,
        limit=limit,
        cursor=cursor,
        newest_first=True,
        attributes=SHEET_ATTRIBUTES,
    )
    return [_stored(item)[0] for item in page.items], page.next_cursor
