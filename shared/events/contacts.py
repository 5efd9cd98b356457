"""Events published by the contacts service (source ``siyu.contacts``)."""

from pydantic import AwareDatetime, Field

from shared.events.campaigns import ScanRef
from shared.events.cases import ChannelAddress
from shared.events.envelope import MAX_ITEMS, EventData, Fen, Flag, Id, Key, Label, Version


class ContactRef(EventData):
    contact_id: Id
    version: Version = Field(description="The contact's version after the change; orders events per contact.")


class ContactCreated(ContactRef):
    identity_kinds: list[Label] = Field(
        max_length=20, description="Which identities the contact holds (values are not shared)."
    )
    tags: list[Label] = Field(max_length=MAX_ITEMS)
    owners: dict[Label, Id] = Field(max_length=MAX_ITEMS, description="Owner staff id per brand ('*' = tenant-wide).")


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
    score: int = Field(description="The score at the change, rounded.")
    changed_at: AwareDatetime


EVENTS: dict[str, type[EventData]] = {
    "ContactCreated": ContactCreated,
    "ContactUpdated": ContactUpdated,
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
}
