"""Events published by the contacts service (source ``siyu.contacts``)."""

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StrictInt, StringConstraints

from shared.events.campaigns import ScanRef
from shared.events.cases import ChannelAddress
from shared.events.envelope import MAX_COUNT, MAX_ITEMS, EventData, Fen, Flag, Id, Key, Label, Version
from shared.events.partner import MAX_CATEGORIES
from shared.events.wecom import WeComContactAdded, WeComContactRemoved


class ContactRef(EventData):
    contact_id: Id
    version: Version = Field(description="The contact's version after the change; orders events per contact.")


class ContactCreated(ContactRef):
    identity_kinds: list[Label] = Field(
        max_length=20, description="Which identities the contact holds (values are not shared)."
    )
    tags: list[Label] = Field(max_length=MAX_ITEMS)
    owners: dict[Label, Id] = Field(max_length=MAX_ITEMS, description="Owner staff id per brand ('*' = tenant-wide).")


class ContactProfileChanged(ContactRef):
    """What a contact is, for the services that reach it (outreach keeps a copy to check consent,
    find its WeChat and WeCom addresses and fill a message's variables). Published with every
    change of these fields, and when the contact is merged away or erased (then with nothing
    personal left in it). Snapshots of one contact are ordered by ``version``."""

    status: Literal["active", "merged", "erased"]
    merged_into: Id | None = Field(default=None, description="The survivor, when status is merged.")
    name: Annotated[str, StringConstraints(max_length=200)] | None
    birthday: date | None
    consent: dict[Key, Annotated[dict[Key, Flag], Field(max_length=20)]] = Field(
        max_length=20, description="Consent per channel and purpose, e.g. {'wecom': {'marketing': true}}."
    )
    tags: list[Label] = Field(max_length=MAX_ITEMS)
    owners: dict[Label, Id] = Field(max_length=MAX_ITEMS, description="Owner staff id per brand ('*' = tenant-wide).")
    openids: dict[Key, Key] = Field(max_length=100, description="WeChat openid per app id.")
    external_userids: dict[Key, Key] = Field(max_length=100, description="WeCom external_userid per corp id.")


class ContactUpdated(ContactRef):
    changed: list[Label] = Field(max_length=100, description="Names of the fields that changed.")


class ContactTagged(ContactRef):
    tag: Label


class ContactUntagged(ContactRef):
    tag: Label


class ContactOwnerChanged(ContactRef):
    brand: Label = Field(description="A brand, or '*' for the tenant-wide owner.")
    previous_owner: Id | None
    owner: Id | None


class ContactErased(ContactRef):
    pass


class ContactsMerged(ContactRef):
    """Two contacts turned out to be one person: ``contact_id`` survives, the other is absorbed."""

    merged_contact_id: Id = Field(description="The absorbed contact; its records move to the survivor.")
    evidence: Label | None = Field(
        default=None, description="The identity kind that tied them (phone, unionid…), or 'manual'; never its value."
    )
    also_merged: list[Id] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Contacts merged into the absorbed one earlier: they resolve to the survivor now too.",
    )


class OrderBuyerIdentified(EventData):
    """A partner's order named its buyer by an identity only: this is the contact it belongs to."""

    partner: Key = Field(description="The partner's event source, e.g. partner.tmall.")
    order_id: Id
    contact_id: Id
    amount_fen: Fen
    brand: Label
    categories: list[Label] = Field(
        default_factory=list,
        max_length=MAX_CATEGORIES,
        description="The order's product categories, as the partner gave them.",
    )


class ScanAttributed(ScanRef):
    """Contacts' answer to a scan: whether the scan acquired the contact (first touch)."""

    acquired: Flag = Field(description="True when this scan set the contact's acquisition source.")
    scanned_at: AwareDatetime


class ChannelSenderIdentified(EventData):
    """Contacts' answer to ``ChannelSenderSeen``: the contact that WeChat sender is (it holds the
    openid, or the unionid and now the openid too). No answer when no contact holds either."""

    channel: ChannelAddress = Field(description="The sender, as cases named it.")
    contact_id: Id


class ContactLifecycleChanged(EventData):
    """A contact moved to another lifecycle stage: on a fact (an order, points, activity) or, with
    no fact at all, by the sweep (time without activity)."""

    contact_id: Id
    previous_stage: Label
    stage: Label
    reason: Label = Field(description="activity, order, points, inactivity or merge.")
    changed_at: AwareDatetime


class ContactScoreChanged(EventData):
    """A contact's lead grade changed (a scored fact raised it, or decay lowered it)."""

    contact_id: Id
    previous_grade: Label | None
    grade: Label
    score: Annotated[StrictInt, Field(ge=-(10**9), le=10**9)] = Field(description="The score at the change, rounded.")
    changed_at: AwareDatetime


class ContactsJobStepped(EventData):
    """Contacts' own job runner (services/contacts/logic/jobs.py): step ``step`` of the job is due.
    Published in the transaction that queued the job or saved its previous step; consumed by
    contacts alone (``contacts-jobs``)."""

    job_id: Id
    kind: Label = Field(description="The job's kind (e.g. contacts_import).")
    step: Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)] = Field(description="The step to run (0 first).")


class SegmentMembershipChanged(EventData):
    """A contact entered or left segments: once per change, listing every segment it entered
    and left by that change (journeys follow the segments they start from)."""

    contact_id: Id
    entered: list[Id] = Field(max_length=MAX_ITEMS, description="Segments the contact entered.")
    left: list[Id] = Field(max_length=MAX_ITEMS, description="Segments the contact left.")
    changed_at: AwareDatetime


class ContactExportRequested(EventData):
    """A PIPL export of one contact (services/contacts/logic/contact_export.py): every service that
    holds personal data about contacts writes its part to the file store, under its own prefix
    (``<service>/exports/<tenant>/<job_id>.json``), and reports it (``<Service>ExportPartWritten``;
    contacts records its own part directly). ``contact_id`` is the survivor; ``merged_from`` the
    contacts merged into it, whose records each service includes."""

    job_id: Id
    contact_id: Id = Field(description="The contact exported (a survivor, never an alias).")
    merged_from: list[Id] = Field(max_length=MAX_ITEMS, description="Contacts merged into it.")


class WeComCustomerIdentified(EventData):
    """Contacts' answer to wecom's ``WeComContactAdded``: the contact that WeCom customer is (found
    by its external_userid in that corp or its unionid, or created), now owned by the staff member
    who added it. Campaigns treats an add through a channel code (``added.state``) as a scan."""

    contact_id: Id
    created: Flag = Field(description="True when the add created the contact.")
    added: WeComContactAdded = Field(description="The add it answers, as wecom published it.")


class WeComCustomerRemoved(EventData):
    """Contacts' answer to wecom's ``WeComContactRemoved``: the contact whose friendship ended.
    Campaigns claws back a referral whose invitee deleted the staff member soon after qualifying."""

    contact_id: Id
    removed: WeComContactRemoved = Field(description="The removal it answers, as wecom published it.")


EVENTS: dict[str, type[EventData]] = {
    "WeComCustomerIdentified": WeComCustomerIdentified,
    "WeComCustomerRemoved": WeComCustomerRemoved,
    "ContactCreated": ContactCreated,
    "ContactUpdated": ContactUpdated,
    "ContactProfileChanged": ContactProfileChanged,
    "ContactTagged": ContactTagged,
    "ContactUntagged": ContactUntagged,
    "ContactOwnerChanged": ContactOwnerChanged,
    "ContactErased": ContactErased,
    "ContactsMerged": ContactsMerged,
    "OrderBuyerIdentified": OrderBuyerIdentified,
    "ScanAttributed": ScanAttributed,
    "ChannelSenderIdentified": ChannelSenderIdentified,
    "ContactLifecycleChanged": ContactLifecycleChanged,
    "ContactScoreChanged": ContactScoreChanged,
    "SegmentMembershipChanged": SegmentMembershipChanged,
    "ContactsJobStepped": ContactsJobStepped,
    "ContactExportRequested": ContactExportRequested,
}
