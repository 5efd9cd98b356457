"""Events published by the contacts service (source ``siyu.contacts``)."""

from pydantic import AwareDatetime, Field

from shared.events.campaigns import ScanRef
from shared.events.envelope import EventData


class ContactRef(EventData):
    contact_id: str
    version: int = Field(ge=1, description="The contact's version after the change; orders events per contact.")


class ContactCreated(ContactRef):
    identity_kinds: list[str] = Field(description="Which identities the contact holds (values are not shared).")
    tags: list[str]
    owners: dict[str, str] = Field(description="Owner staff id per brand ('*' = tenant-wide).")


class ContactUpdated(ContactRef):
    changed: list[str] = Field(description="Names of the fields that changed.")


class ContactTagged(ContactRef):
    tag: str


class ContactUntagged(ContactRef):
    tag: str


class ContactOwnerChanged(ContactRef):
    brand: str = Field(description="A brand, or '*' for the tenant-wide owner.")
    previous_owner: str | None
    owner: str | None


class ContactErased(ContactRef):
    pass


class ContactsMerged(ContactRef):
    """Two contacts turned out to be one person: ``contact_id`` survives, the other is absorbed."""

    merged_contact_id: str = Field(description="The absorbed contact; its records move to the survivor.")


class OrderBuyerIdentified(EventData):
    """A partner's order named its buyer by an identity only: this is the contact it belongs to."""

    partner: str = Field(description="The partner's event source, e.g. partner.tmall.")
    order_id: str
    contact_id: str
    amount_fen: int = Field(gt=0)
    brand: str


class ScanAttributed(ScanRef):
    """Contacts' answer to a scan: whether the scan acquired the contact (first touch)."""

    acquired: bool = Field(description="True when this scan set the contact's acquisition source.")
    scanned_at: AwareDatetime


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
}
