"""Consumer: queued WeCom callbacks → relationships, deletion records, welcomes (customer
changes), the staff directory (change_contact) and customer groups (change_external_chat)."""

from __future__ import annotations

from services.wecom.service import CALLBACKS_CONSUMER
from shared.consumer import EventConsumer
from shared.events.envelope import Envelope
from shared.events.wecom import WeComCallbackReceived


def on_callback(event: Envelope[WeComCallbackReceived]) -> None:
    tenant_id, event_id, callback = event.metadata.tenant_id, event.metadata.event_id, event.data
    if callback.kind.startswith("change_external_chat/"):
        from services.wecom.logic import groups

        groups.apply(tenant_id, event_id, callback)
    elif callback.kind.startswith("change_contact/"):
        from services.wecom.logic import directory

        directory.apply(tenant_id, event_id, callback)
    else:
        from services.wecom.logic import contact_changes

        contact_changes.apply(tenant_id, event_id, callback)


handler = EventConsumer(name=CALLBACKS_CONSUMER.name, handlers={"WeComCallbackReceived": on_callback})
