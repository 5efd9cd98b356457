"""Which contact each customer is, learned from contacts (``wecom-customers``): relationships
list by contact, and follow a merge to the surviving contact."""

from __future__ import annotations

from services.wecom.dal import relationships as dal
from services.wecom.dal.table import mark_handled
from services.wecom.service import CUSTOMERS_CONSUMER
from shared.events.contacts import ContactsMerged, WeComCustomerIdentified
from shared.inbox import handled


def identified(tenant_id: str, event_id: str, answer: WeComCustomerIdentified) -> None:
    added = answer.added
    relationship = dal.get(tenant_id, added.staff_id, added.corp_id, added.external_userid)
    # A merge processed before this answer: the contact it names may be absorbed already.
    contact_id = dal.survivor_of(tenant_id, answer.contact_id) or answer.contact_id
    if relationship is None or relationship.contact_id == contact_id:
        mark_handled(CUSTOMERS_CONSUMER.name, tenant_id, event_id)
        return
    dal.set_contact(
        tenant_id, relationship, contact_id, prepares=(handled(CUSTOMERS_CONSUMER.name, tenant_id, event_id),)
    )


def merged(tenant_id: str, event_id: str, merge: ContactsMerged) -> None:
    """The absorbed contacts' relationships now belong to the survivor (each write is idempotent:
    a redelivery finds nothing left under the absorbed ids)."""
    for absorbed in (merge.merged_contact_id, *merge.also_merged):
        dal.record_survivor(tenant_id, absorbed, merge.contact_id)
        for relationship in dal.every_of_contact(tenant_id, absorbed):
            dal.set_contact(tenant_id, relationship, merge.contact_id)
    mark_handled(CUSTOMERS_CONSUMER.name, tenant_id, event_id)
