"""Events published by the wecom service (source ``siyu.wecom``).

WeCom names a staff member by their ``userid`` within a corp (``staff_id`` here: the same id the
staff member signs in to Siyu with) and a customer by an ``external_userid``, which is per corp:
one person added by staff of two sub-brand corps has two external_userids and, when WeCom knows
it, one unionid. Contacts resolves them to one contact.
"""

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StrictInt, StringConstraints

from shared.events.envelope import MAX_COUNT, MAX_ITEMS, EventData, Flag, Id, Key, Label

CorpId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ExternalUserId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
StaffUserId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
# A contact way's ``state``: WeCom allows 30 characters; Siyu puts a channel code there.
ContactWayState = Annotated[str, StringConstraints(min_length=1, max_length=30)]
Generation = Annotated[StrictInt, Field(ge=1, le=MAX_COUNT)]
FieldText = Annotated[str, StringConstraints(max_length=2048)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
PersonName = Annotated[str, StringConstraints(max_length=128)]


class WeComCallbackReceived(EventData):
    """A verified, decrypted callback from WeCom, queued so the HTTP answer is immediate (WeCom
    waits 5 s and retries). Published once per distinct callback (a redelivery of the same one is
    recognised at the door); consumed by wecom alone."""

    callback_id: Key = Field(description="A digest of the decrypted message: equal for WeCom's redeliveries.")
    corp_id: CorpId
    kind: Label = Field(
        description="The event and, for change events, its change type: change_external_contact/add_external_contact."
    )
    created_at: AwareDatetime = Field(description="The message's CreateTime: orders changes to one relationship.")
    fields: dict[FieldName, FieldText] = Field(
        max_length=64, description="The message's elements by tag name, as WeCom sent them (text)."
    )


class WeComRelationshipRef(EventData):
    corp_id: CorpId
    staff_id: StaffUserId = Field(description="The staff member's WeCom userid.")
    external_userid: ExternalUserId
    generation: Generation = Field(
        description="Which friendship of this pair: 1 for the first add, +1 for each add after a removal."
    )


class WeComContactAdded(WeComRelationshipRef):
    """A customer and a staff member became WeCom friends (add_external_contact), or the customer
    added the staff member and awaits acceptance (add_half_external_contact, ``half``)."""

    unionid: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    name: PersonName | None = Field(default=None, description="The customer's WeCom name, when WeCom gave it.")
    state: ContactWayState | None = Field(
        default=None, description="The contact way's state (a Siyu channel code) that brought the customer."
    )
    add_way: Annotated[StrictInt, Field(ge=0, le=10_000)] | None = Field(
        default=None, description="WeCom's add_way: 1 QR code, 2 phone search, 201 shared by a colleague…"
    )
    half: Flag = False
    added_at: AwareDatetime
    reason: Literal["transfer"] | None = Field(
        default=None, description="transfer: the customer came from another staff member (not a new add)."
    )


class WeComContactRemoved(WeComRelationshipRef):
    """The friendship ended: the staff member deleted the customer (del_external_contact) or the
    customer deleted the staff member (del_follow_user, 流失)."""

    removed_by: Literal["staff", "customer"]
    removed_at: AwareDatetime
    reason: Literal["transfer"] | None = Field(
        default=None, description="transfer: the customer went to another staff member (not a deletion)."
    )


class WeComChurnAlerted(WeComRelationshipRef):
    """The churn alert for a customer's removal reached the staff member (and their manager)."""

    recipients: list[StaffUserId] = Field(max_length=MAX_ITEMS)


StaffStatus = Literal["active", "disabled", "inactive", "departed"]
DepartmentId = Annotated[StrictInt, Field(ge=1, le=2**32)]


class WeComStaffChanged(EventData):
    """A staff member of the directory was created or changed (full sync or change_contact):
    their status (departed = 离职), departments, managers (their departments' leaders) and the
    Siyu roles they sign in with."""

    corp_id: CorpId
    staff_id: StaffUserId
    name: PersonName
    status: StaffStatus
    department_ids: list[DepartmentId] = Field(max_length=100)
    managers: list[StaffUserId] = Field(max_length=100)
    roles: list[Label] = Field(max_length=4)


class WeComJobStepped(EventData):
    """Wecom's own job runner: step ``step`` of the job is due (a directory or group sync, a
    reconciliation, a transfer's next batch). Consumed by wecom alone."""

    job_id: Key
    kind: Label
    step: Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]


class WeComStaffSucceeded(EventData):
    """A departed staff member's successor takes over (离职继承): contacts moves the contacts they
    owned, cases their open cases."""

    corp_id: CorpId
    staff_id: StaffUserId = Field(description="The departed staff member.")
    successor_id: StaffUserId
    transfer_id: Key


class WeComCustomerTransferred(EventData):
    """One customer's transfer from one staff member to another ended (in service or departed)."""

    transfer_id: Key
    corp_id: CorpId
    external_userid: ExternalUserId
    from_staff: StaffUserId
    to_staff: StaffUserId
    outcome: Literal["succeeded", "failed", "skipped"]
    reason: Label | None = Field(default=None, description="Why it failed or was skipped (e.g. transfer_limit).")


class WeComGroupTransferred(EventData):
    """A customer group's transfer to a new owner ended (a departed staff member's groups go to
    their successor, 离职继承): moved, or failed with WeCom's reason."""

    transfer_id: Key
    corp_id: CorpId
    chat_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    from_staff: StaffUserId
    to_staff: StaffUserId
    outcome: Literal["moved", "failed"]
    reason: Label | None = Field(default=None, description="Why it failed (e.g. not_a_customer_group, errcode_90503).")


class WeComGroupMembersChanged(EventData):
    """A customer group's members changed (change_external_chat or a sync's diff)."""

    corp_id: CorpId
    chat_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    owner: StaffUserId | None
    joined: list[Annotated[str, StringConstraints(min_length=1, max_length=128)]] = Field(max_length=MAX_ITEMS)
    left: list[Annotated[str, StringConstraints(min_length=1, max_length=128)]] = Field(max_length=MAX_ITEMS)
    changed_at: AwareDatetime


class WeComMassMessageCreated(EventData):
    """A broadcast's dispatch (outreach's ``BroadcastDispatched``) became a WeCom 群发 task for its
    staff member to confirm (add_msg_template), or WeCom refused it."""

    broadcast_id: Id
    dispatch_id: Key
    staff_id: StaffUserId
    outcome: Literal["created", "failed"]
    msgid: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    rejected: Annotated[StrictInt, Field(ge=0, le=10_000)] = Field(
        default=0, description="Recipients WeCom would not take (its fail_list: not a friend of the sender)."
    )
    reason: Label | None = Field(default=None, description="Why it failed (e.g. errcode_41048).")


class WeComMassMessageProgressed(EventData):
    """Where a 群发 task stands: its staff member's confirmation and its recipients' results, as
    polled from WeCom (get_groupmsg_task, get_groupmsg_send_result). Each is a full count, not a
    change: the latest ``polled_at`` wins."""

    broadcast_id: Id
    dispatch_id: Key
    staff_id: StaffUserId
    msgid: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    task_status: Literal["pending", "confirmed", "expired"]
    delivered: Annotated[StrictInt, Field(ge=0, le=10_000)] = Field(description="Recipients who received it.")
    failed: Annotated[StrictInt, Field(ge=0, le=10_000)] = Field(
        description="Recipients it could not reach (no longer a friend, or already sent a 群发 today)."
    )
    unsent: Annotated[StrictInt, Field(ge=0, le=10_000)] = Field(description="Recipients not yet sent to.")
    polled_at: AwareDatetime
    final: Flag = Field(description="True when nothing will change any more (confirmed and settled, or expired).")


EVENTS: dict[str, type[EventData]] = {
    "WeComCallbackReceived": WeComCallbackReceived,
    "WeComContactAdded": WeComContactAdded,
    "WeComContactRemoved": WeComContactRemoved,
    "WeComChurnAlerted": WeComChurnAlerted,
    "WeComStaffChanged": WeComStaffChanged,
    "WeComJobStepped": WeComJobStepped,
    "WeComStaffSucceeded": WeComStaffSucceeded,
    "WeComCustomerTransferred": WeComCustomerTransferred,
    "WeComGroupMembersChanged": WeComGroupMembersChanged,
    "WeComGroupTransferred": WeComGroupTransferred,
    "WeComMassMessageCreated": WeComMassMessageCreated,
    "WeComMassMessageProgressed": WeComMassMessageProgressed,
}
